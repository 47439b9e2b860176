package io.patchcast.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A dead letter stays writable whatever the input: a record the sink rejects would fail the job. */
class DeadLetterLimitsTest {

    static DeadLetterRecord record(byte[] original, String detail) {
        return new DeadLetterRecord(original, "metrics", 3, 1234, "UNDECODABLE", detail, "cpu", 99);
    }

    static byte[] bytes(DeadLetter d) {
        ByteBuffer b = d.getOriginalBytes().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void anOrdinaryDeadLetterKeepsEverything() {
        byte[] original = {1, 2, 3};
        DeadLetter d = AvroConversions.deadLetter(record(original, "malformed body"));
        assertThat(bytes(d)).containsExactly(1, 2, 3);
        assertThat(d.getDetail()).isEqualTo("malformed body");
        assertThat(d.getSeriesKey()).isEqualTo("cpu");
    }

    @Test
    void aHugeRecordKeepsItsFirst256KibAndSaysWhereTheWholeOneIs() {
        byte[] original = new byte[3 * 1024 * 1024];
        Arrays.fill(original, (byte) 7);
        original[0] = 9;
        DeadLetter d = AvroConversions.deadLetter(record(original, "malformed body"));
        byte[] kept = bytes(d);
        assertThat(kept).hasSize(AvroConversions.MAX_DEAD_LETTER_BYTES);
        assertThat(kept[0]).isEqualTo((byte) 9);
        assertThat(d.getDetail()).isEqualTo("malformed body [originalBytes holds the first 262144 of 3145728 bytes;"
                + " the whole record is at metrics/3/1234]");
        assertThat(AvroConversions.encode(d).length).isLessThan(300 * 1024);
    }

    @Test
    void aHugeDetailIsCut() {
        DeadLetter d = AvroConversions.deadLetter(record(new byte[] {1}, "y".repeat(100_000)));
        assertThat(d.getDetail()).hasSize(AvroConversions.MAX_DETAIL_CHARS + "... (detail cut at 8192 characters)".length())
                .endsWith("... (detail cut at 8192 characters)");
    }
}
