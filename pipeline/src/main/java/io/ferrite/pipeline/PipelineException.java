package io.ferrite.pipeline;

/**
 * A pipeline file that cannot be used: the message names the file, the line and the field, and says
 * what is allowed, e.g. {@code pipeline.yaml:7: stages[1].route.type: expected an integer or a list
 * of integers, got 'abc'}.
 *
 * <p>Thread-safety: immutable.
 */
public final class PipelineException extends IllegalArgumentException {
    public PipelineException(String message) {
        super(message);
    }

    public PipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
