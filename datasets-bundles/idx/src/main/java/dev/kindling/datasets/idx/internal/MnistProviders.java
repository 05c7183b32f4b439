package dev.kindling.datasets.idx.internal;

import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.AbstractDatasetProvider;
import dev.kindling.datasets.idx.IdxImageDataset;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import org.osgi.service.component.annotations.Component;

/** The {@code mnist} and {@code fashion-mnist} dataset providers. */
public final class MnistProviders {
    private MnistProviders() {}

    static Dataset<Sample> create(IdxImageDataset.Kind kind, AbstractDatasetProvider.Params p) {
        return new IdxImageDataset(kind, p.path("root"), p.bool("train"), p.transform("transform"), p.transform("targetTransform"));
    }

    /** {@code mnist}: handwritten digits, 28x28 grey images, 10 classes. */
    @Component(service = DatasetProvider.class)
    public static final class Mnist extends AbstractDatasetProvider {
        public Mnist() {
            super("mnist", "MNIST handwritten digits from IDX files (28x28 UINT8 HWC images, 10 classes)",
                    ParameterSpec.required("root", "path", "directory with the IDX files (gzipped or raw)"),
                    ParameterSpec.optional("train", "boolean", true, "the 60,000-image training split, else the 10,000-image test split"),
                    TRANSFORM, TARGET_TRANSFORM);
        }

        @Override
        protected Dataset<Sample> create(Params p) { return MnistProviders.create(IdxImageDataset.Kind.MNIST, p); }
    }

    /** {@code fashion-mnist}: Zalando's clothing images, 28x28 grey, 10 classes. */
    @Component(service = DatasetProvider.class)
    public static final class FashionMnist extends AbstractDatasetProvider {
        public FashionMnist() {
            super("fashion-mnist", "Fashion-MNIST clothing images from IDX files (28x28 UINT8 HWC images, 10 classes)",
                    ParameterSpec.optional("root", "path", IdxImageDataset.Kind.FASHION_MNIST.defaultRoot().toString(),
                            "directory with the IDX files (gzipped or raw); the default is where apt-get install dataset-fashion-mnist puts them"),
                    ParameterSpec.optional("train", "boolean", true, "the 60,000-image training split, else the 10,000-image test split"),
                    TRANSFORM, TARGET_TRANSFORM);
        }

        @Override
        protected Dataset<Sample> create(Params p) { return MnistProviders.create(IdxImageDataset.Kind.FASHION_MNIST, p); }
    }
}
