package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchcast.store.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyMoiraiCommandTest {

    static final Path FIXTURES = Path.of(System.getProperty("patchcast.fixtures", "../../shared/fixtures/moirai-moe"));

    @TempDir
    Path tmp;

    @Test
    void passesOnTheReferenceFixtures() {
        ScoreCommandTest.Out r = ScoreCommandTest.run("verify-moirai", "--fixtures", FIXTURES.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("case uni_seasonal: worst deterministic").endsWith("PASS\n");
        // each case line places its worst difference: the tensor, the reference value there, and the
        // difference in float32 units in the last place (1e-4 is below float32's spacing from 1024 on)
        assertThat(r.out().lines().filter(l -> l.startsWith("case ")))
                .isNotEmpty()
                .allMatch(l -> l.matches("case \\S+: worst deterministic \\|diff\\| \\S+ \\(call\\d+\\.\\S+, reference \\S+:"
                        + " \\S+ float32 ulp\\) PASS"), "placed");
    }

    @Test
    void failsWhenAReferenceTensorIsAltered() throws Exception {
        // same layout, one case whose JSON targets are perturbed: must exit non-zero
        Path copy = tmp.resolve("fx");
        Files.createDirectories(copy.resolve("model"));
        try (Stream<Path> s = Files.list(FIXTURES.resolve("model"))) {
            for (Path p : s.toList()) {
                Files.copy(p, copy.resolve("model").resolve(p.getFileName()));
            }
        }
        for (String f : new String[] {"case_uni_short.json", "case_uni_short.safetensors", "manifest.json"}) {
            if (Files.exists(FIXTURES.resolve(f))) {
                Files.copy(FIXTURES.resolve(f), copy.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // perturb the weights: a high mantissa bit of every 4th float32 after the header (~+-25 %)
        Path weights = copy.resolve("model/model.safetensors");
        byte[] b = Files.readAllBytes(weights);
        int header = 8 + (int) java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        for (int i = header; i + 16 <= b.length; i += 16) {
            b[i + 2] ^= 0x40;
        }
        Files.write(weights, b);
        ScoreCommandTest.Out r = ScoreCommandTest.run("verify-moirai", "--fixtures", copy.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL");
    }

    /**
     * Fixtures made from a checkpoint ({@code moirai-moe-fixtures.py --checkpoint}) have no model/ and
     * name the checkpoint's SHA-256 in manifest.json; made here from the shipped set, one case.
     */
    Path checkpointFixtures() throws Exception {
        Path copy = tmp.resolve("from-checkpoint");
        Files.createDirectories(copy);
        for (String f : new String[] {"case_uni_short.json", "case_uni_short.safetensors"}) {
            Files.copy(FIXTURES.resolve(f), copy.resolve(f));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest =
                (ObjectNode) json.readTree(FIXTURES.resolve("manifest.json").toFile());
        manifest.put("model_source", "checkpoint /somewhere/moirai-moe-1.0-R-small");
        manifest.put("checkpoint_sha256", Sha256.of(FIXTURES.resolve("model/model.safetensors")));
        manifest.remove("model_tensors");
        json.writeValue(copy.resolve("manifest.json").toFile(), manifest);
        return copy;
    }

    @Test
    void fixturesMadeFromACheckpointAreVerifiedWithThatCheckpoint() throws Exception {
        Path fx = checkpointFixtures();
        String sha = Sha256.of(FIXTURES.resolve("model/model.safetensors"));
        // without it: a usage error that says what to give
        ScoreCommandTest.Out none = ScoreCommandTest.run("verify-moirai", "--fixtures", fx.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("--checkpoint DIR").contains(sha);
        // the checkpoint it was made from: verified
        ScoreCommandTest.Out ok = ScoreCommandTest.run("verify-moirai", "--fixtures", fx.toString(), "--checkpoint",
                FIXTURES.resolve("model").toString());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("case uni_short: worst deterministic").endsWith("PASS\n");
        // another checkpoint: refused before anything is compared
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.copy(FIXTURES.resolve("model/config.json"), other.resolve("config.json"));
        byte[] w = Files.readAllBytes(FIXTURES.resolve("model/model.safetensors"));
        w[w.length - 1] ^= 1;
        Files.write(other.resolve("model.safetensors"), w);
        ScoreCommandTest.Out wrong = ScoreCommandTest.run("verify-moirai", "--fixtures", fx.toString(), "--checkpoint",
                other.toString());
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("the fixtures were made from a checkpoint with " + sha);
        // fixtures with their own model/ name no checkpoint: --checkpoint is a usage error there
        ScoreCommandTest.Out own = ScoreCommandTest.run("verify-moirai", "--fixtures", FIXTURES.toString(),
                "--checkpoint", FIXTURES.resolve("model").toString());
        assertThat(own.code()).isEqualTo(2);
        assertThat(own.err()).contains("not made from a checkpoint").contains("verify them with their model/");
    }
}
