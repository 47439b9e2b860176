package io.patchcast.job.route;

import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.schema.ControlAction;
import io.patchcast.schema.ModelControl;
import io.patchcast.store.ModelRef;
import io.patchcast.store.ModelStore;
import io.patchcast.store.RouteRule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;

/**
 * Decodes and checks a ModelControl command (Avro single-object encoding) without throwing: the
 * result is a rule (a tombstone for UNROUTE) or a reason and detail for the dead-letter topic.
 */
public final class ModelControlCodec {

    /** Exactly one of {@code rule} and {@code reason} is set. */
    public record Decoded(RouteRule rule, Reason reason, String detail) {}

    /**
     * How far ahead of this job's clock {@code issuedAt} may be (clock skew between the sender and
     * the job). Beyond it the command is refused: a rule issued in the future would make every
     * later command for its pattern look older and be ignored.
     */
    static final java.time.Duration MAX_ISSUED_AHEAD = java.time.Duration.ofHours(1);

    private final ModelStore store;
    private final java.util.function.LongSupplier clock;

    public ModelControlCodec(ModelStore store) {
        this(store, System::currentTimeMillis);
    }

    ModelControlCodec(ModelStore store, java.util.function.LongSupplier clock) {
        this.store = store;
        this.clock = clock;
    }

    public static byte[] encode(ModelControl c) {
        try {
            ByteBuffer b = ModelControl.getEncoder().encode(c);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + c, e);
        }
    }

    public Decoded decode(byte[] value) {
        if (value == null || value.length == 0) {
            return bad(Reason.UNDECODABLE, "empty control record value (tombstone?)");
        }
        ModelControl c;
        try {
            c = ModelControl.getDecoder().decode(value);
        } catch (MissingSchemaException e) {
            return bad(Reason.UNKNOWN_SCHEMA, "Avro schema fingerprint not known to this job: "
                    + e.getMessage() + "; expected ModelControl v1");
        } catch (BadHeaderException e) {
            return bad(Reason.UNDECODABLE, "not Avro single-object encoding (expected header C3 01 + "
                    + "8-byte fingerprint): " + e.getMessage());
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            return bad(Reason.UNDECODABLE, "malformed ModelControl body: " + e);
        }
        String pattern = c.getSeriesPattern().toString();
        long issuedAt = c.getIssuedAt().toEpochMilli();
        long now = clock.getAsLong();
        if (issuedAt > now + MAX_ISSUED_AHEAD.toMillis()) {
            return bad(Reason.BAD_CONTROL, String.format("%s %s: issuedAt %s is %d s ahead of this job's clock (%s);"
                    + " at most %s is allowed (a timestamp in micro- or nanoseconds?). A rule issued in the future"
                    + " would make every later command for its pattern be ignored.", c.getAction(), pattern,
                    c.getIssuedAt(), (issuedAt - now) / 1000, java.time.Instant.ofEpochMilli(now), MAX_ISSUED_AHEAD));
        }
        try {
            RouteRule.compile(pattern);
            if (c.getAction() == ControlAction.UNROUTE) {
                return new Decoded(RouteRule.unroute(pattern, issuedAt), null, null);
            }
            ModelRef target = new ModelRef(c.getModel().toString(), c.getVersion().toString());
            if (!store.contains(target)) {
                return bad(Reason.UNKNOWN_MODEL, String.format(
                        "ROUTE %s -> %s: no such version in the model store %s (expected the folder %s/%s/ with %s)",
                        pattern, target, store.dir(), target.model(), target.version(), "manifest.json"));
            }
            List<? extends CharSequence> ch = c.getChannels();
            String[] channels = new String[ch.size()];
            for (int i = 0; i < channels.length; i++) {
                channels[i] = ch.get(i).toString();
            }
            store.checkChannels(target, channels);
            return new Decoded(RouteRule.route(pattern, target, channels, issuedAt), null, null);
        } catch (IllegalArgumentException e) {
            return bad(Reason.BAD_CONTROL, c.getAction() + " " + pattern + ": " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            // e.g. a version folder still being copied: its manifest.json or config.json is unreadable
            return bad(Reason.BAD_CONTROL, String.format("%s %s -> %s@%s: cannot read the version's files in the"
                    + " model store: %s", c.getAction(), pattern, c.getModel(), c.getVersion(), e.getCause()));
        }
    }

    private static Decoded bad(Reason reason, String detail) {
        return new Decoded(null, reason, detail);
    }
}
