package io.patchcast.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schemas in use stay compatible with the first released version (kept in
 * src/test/resources/released/v1): consumers on the current schema can read records written with
 * v1 (backward), and v1 consumers can read what the job writes now (forward).
 */
class SchemaCompatibilityTest {

    static List<Schema> current() {
        return List.of(MetricPoint.getClassSchema(), Forecast.getClassSchema(), AnomalyFlag.getClassSchema(),
                AlertTransition.getClassSchema(), DeadLetter.getClassSchema(), ModelControl.getClassSchema());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("current")
    void currentReadsReleasedV1(Schema now) throws IOException {
        Schema v1 = released(now.getName());
        SchemaPairCompatibility backward = SchemaCompatibility.checkReaderWriterCompatibility(now, v1);
        assertThat(backward.getType()).as("%s: current reader, v1 writer: %s", now.getName(), backward.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("current")
    void releasedV1ReadsCurrent(Schema now) throws IOException {
        Schema v1 = released(now.getName());
        SchemaPairCompatibility forward = SchemaCompatibility.checkReaderWriterCompatibility(v1, now);
        assertThat(forward.getType()).as("%s: v1 reader, current writer: %s", now.getName(), forward.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("current")
    void checkDetectsABreakingChange(Schema now) throws IOException {
        // guards the guard: dropping the default of a new required field must be reported
        String broken = now.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"addedWithoutDefault\",\"type\":\"long\"},");
        Schema changed = new Schema.Parser().parse(broken);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(changed, released(now.getName())).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static Schema released(String name) throws IOException {
        Schema.Parser p = new Schema.Parser();
        try (InputStream status = SchemaCompatibilityTest.class.getResourceAsStream("/released/v1/ForecastStatus.avsc")) {
            p.parse(status);
        }
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/released/v1/" + name + ".avsc")) {
            assertThat(in).as("released schema %s.avsc", name).isNotNull();
            return p.parse(in);
        }
    }
}
