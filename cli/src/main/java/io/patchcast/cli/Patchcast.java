package io.patchcast.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/patchcast <command>}: the project's command line. */
@Command(name = "patchcast", mixinStandardHelpOptions = true, version = "patchcast 0.1.0",
        description = "Streaming forecasting and anomaly detection for monitoring metrics.",
        subcommands = {DemoCommand.class, ScoreCommand.class, EvaluateCommand.class, EvaluateNabCommand.class,
                TrainDefaultCommand.class, SynthCommand.class, VerifyMoiraiCommand.class, VerifyCalfCommand.class,
                TrainCalfCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Patchcast implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return commandLine(debug()).execute(args);
    }

    /** Runs a command line printing to {@code out} and {@code err}; returns its exit code. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return commandLine(debug()).setOut(out).setErr(err).execute(args);
    }

    /**
     * The command line; a failing command prints one line {@code patchcast <command>: <message>} and
     * exits 1, with the stack trace when {@code debug}.
     */
    static CommandLine commandLine(boolean debug) {
        return new CommandLine(new Patchcast()).setExecutionExceptionHandler(new CommandErrors(debug));
    }

    /** Stack traces of failures are printed when the environment variable PATCHCAST_DEBUG is set. */
    private static boolean debug() {
        return System.getenv("PATCHCAST_DEBUG") != null;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
