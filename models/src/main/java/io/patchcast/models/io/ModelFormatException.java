package io.patchcast.models.io;

import java.io.IOException;

/**
 * A model file that was read but does not hold what it must (bad safetensors header, missing
 * tensor, wrong shape or dtype). Callers keep a previous model on this, unlike plain I/O errors.
 */
public class ModelFormatException extends IOException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
