package io.patchcast.cli.nab;

/**
 * One row of a scored file (numenta/NAB {@code nab/sweeper.py}, {@code AnomalyPoint}).
 *
 * @param anomalyScore the detector's score; the row is a detection when it is at least the threshold
 * @param sweepScore what a detection here is worth under the profile: positive in a window, negative outside
 * @param windowName the window the row lies in, {@link #PROBATIONARY} in the probationary period, null outside
 */
public record AnomalyPoint(long timestamp, double anomalyScore, double sweepScore, String windowName) {

    public static final String PROBATIONARY = "probationary";

    public boolean scorable() {
        return !PROBATIONARY.equals(windowName);
    }

    public boolean inWindow() {
        return windowName != null && scorable();
    }
}
