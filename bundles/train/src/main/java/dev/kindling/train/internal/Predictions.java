package dev.kindling.train.internal;

import java.util.List;

/**
 * {@code kindling:predict}: one {@link Prediction} per input, made by a model with {@code classCount} outputs, each
 * with its best {@code topCount} classes; with targets (a dataset's samples) the rows say whether each one is right.
 */
record Predictions(ModelFiles.Loaded model, String inputs, int classCount, int topCount, List<String> classes,
                   boolean withTargets, List<Prediction> rows) {

    /** {@code label} names the input (its index or row number); {@code top} is best first; {@code target} null without. */
    record Prediction(String label, int predicted, float probability, List<Ranked> top, Long target) {}

    record Ranked(int index, float probability) {}
}
