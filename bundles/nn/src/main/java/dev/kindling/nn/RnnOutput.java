package dev.kindling.nn;

import dev.kindling.api.Tensor;

/**
 * What a recurrent layer returns with its state: the output sequence, the final hidden state {@code h}
 * ({@code [layers·directions, N, hidden]}) and, for LSTM, the final cell state {@code c} (null otherwise). Pass it back
 * as the next call's state.
 */
public record RnnOutput(Tensor output, Tensor h, Tensor c) {
    public RnnOutput(Tensor output, Tensor h) { this(output, h, null); }

    /** A state to start from: {@code h} (and {@code c} for LSTM) without an output. */
    public static RnnOutput state(Tensor h, Tensor c) { return new RnnOutput(null, h, c); }
}
