package io.patchcast.store;

import java.io.IOException;

/** A model artifact whose files do not match its manifest; callers keep the model they have. */
public class ArtifactVerificationException extends IOException {
    public ArtifactVerificationException(String message) {
        super(message);
    }
}
