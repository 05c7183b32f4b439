package dev.kindling.datasets.embedded.internal;

import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.AbstractDatasetProvider;
import dev.kindling.datasets.embedded.DigitsDataset;
import dev.kindling.datasets.embedded.IrisDataset;
import dev.kindling.kernel.spi.DatasetProvider;
import org.osgi.service.component.annotations.Component;

/** The {@code digits} and {@code iris} dataset providers (data shipped in the bundle). */
public final class EmbeddedProviders {
    private EmbeddedProviders() {}

    @Component(service = DatasetProvider.class)
    public static final class Digits extends AbstractDatasetProvider {
        public Digits() {
            super("digits", "UCI 8x8 handwritten digits, 1,797 samples shipped in the bundle (FLOAT32 [64] in 0..16, 10 classes; CC BY 4.0)",
                    TRANSFORM, TARGET_TRANSFORM);
        }

        @Override
        protected Dataset<Sample> create(Params p) { return new DigitsDataset(p.transform("transform"), p.transform("targetTransform")); }
    }

    @Component(service = DatasetProvider.class)
    public static final class Iris extends AbstractDatasetProvider {
        public Iris() {
            super("iris", "Fisher's Iris, 150 samples shipped in the bundle (FLOAT32 [4] measurements in cm, 3 classes; CC BY 4.0)",
                    TRANSFORM, TARGET_TRANSFORM);
        }

        @Override
        protected Dataset<Sample> create(Params p) { return new IrisDataset(p.transform("transform"), p.transform("targetTransform")); }
    }
}
