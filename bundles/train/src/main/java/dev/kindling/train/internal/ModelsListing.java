package dev.kindling.train.internal;

import java.nio.file.Path;
import java.util.List;

/** {@code kindling:models}: the model files and checkpoints found under {@code root}, which may not exist. */
record ModelsListing(Path root, boolean exists, List<Entry> entries) {
    /** {@code accuracy} is NaN when unknown; an unreadable file has its error in {@code model}. */
    record Entry(Path path, String kind, String epoch, String dataset, double accuracy, String model) {}

    /** A model version a server serves ("-" for what its service does not say). */
    record Served(String model, String version, String state, String platform, String endpoint, String source) {}
}
