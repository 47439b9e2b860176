package io.patchcast.job.source;

/** A Kafka record value with its coordinates, before any decoding (so nothing can fail here). */
public record RawRecord(byte[] value, String topic, int partition, long offset, long kafkaTimestamp) {}
