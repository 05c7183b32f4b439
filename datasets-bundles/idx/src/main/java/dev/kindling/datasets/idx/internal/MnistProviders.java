package dev.kindling.datasets.idx.internal;

import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.AbstractDatasetProvider;
import dev.kindling.datasets.idx.IdxImageDataset;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.util.Map;

/** The {@code mnist} and {@code fashion-mnist} dataset providers. */
public final class MnistProviders {
    private MnistProviders() {}

    /** The description of {@value AbstractDatasetProvider#CONFIGURATION_PID}, whose keys are {@code <dataset>.<parameter>}. */
    @ObjectClassDefinition(id = AbstractDatasetProvider.CONFIGURATION_PID, name = "Kindling data sets",
            description = "Parameter defaults of the installed data sets, as <dataset>.<parameter> keys (see kindling:datasets), "
                    + "e.g. cifar10.root=/data/cifar-10-batches-bin as well as the roots below.")
    public @interface Settings {
        @AttributeDefinition(name = "MNIST folder", required = false, description = "Default root of the mnist data set (the IDX files).")
        String mnist_root() default "";

        @AttributeDefinition(name = "Fashion-MNIST folder", required = false,
                description = "Default root of the fashion-mnist data set; empty: /usr/share/datasets/fashion-mnist.")
        String fashion$_$mnist_root() default "";
    }

    static Dataset<Sample> create(IdxImageDataset.Kind kind, AbstractDatasetProvider.Params p) {
        return new IdxImageDataset(kind, p.path("root"), p.bool("train"), p.transform("transform"), p.transform("targetTransform"));
    }

    /** {@code mnist}: handwritten digits, 28x28 grey images, 10 classes. */
    @Component(service = DatasetProvider.class, configurationPid = AbstractDatasetProvider.CONFIGURATION_PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
    public static final class Mnist extends AbstractDatasetProvider {
        public Mnist() {
            super("mnist", "MNIST handwritten digits from IDX files (28x28 UINT8 HWC images, 10 classes)",
                    ParameterSpec.required("root", "path", "directory with the IDX files (gzipped or raw)"),
                    ParameterSpec.optional("train", "boolean", true, "the 60,000-image training split, else the 10,000-image test split"),
                    TRANSFORM, TARGET_TRANSFORM);
        }

        /** Defaults from {@value AbstractDatasetProvider#CONFIGURATION_PID}, e.g. {@code <name>.root}. */
        @Activate
        @Modified
        void configured(Map<String, Object> configuration) { configure(configuration); }

        @Override
        protected Dataset<Sample> create(Params p) { return MnistProviders.create(IdxImageDataset.Kind.MNIST, p); }
    }

    /** {@code fashion-mnist}: Zalando's clothing images, 28x28 grey, 10 classes. */
    @Designate(ocd = Settings.class)
    @Component(service = DatasetProvider.class, configurationPid = AbstractDatasetProvider.CONFIGURATION_PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
    public static final class FashionMnist extends AbstractDatasetProvider {
        public FashionMnist() {
            super("fashion-mnist", "Fashion-MNIST clothing images from IDX files (28x28 UINT8 HWC images, 10 classes)",
                    ParameterSpec.optional("root", "path", IdxImageDataset.Kind.FASHION_MNIST.defaultRoot().toString(),
                            "directory with the IDX files (gzipped or raw); the default is where apt-get install dataset-fashion-mnist puts them"),
                    ParameterSpec.optional("train", "boolean", true, "the 60,000-image training split, else the 10,000-image test split"),
                    TRANSFORM, TARGET_TRANSFORM);
        }

        /** Defaults from {@value AbstractDatasetProvider#CONFIGURATION_PID}, e.g. {@code <name>.root}. */
        @Activate
        @Modified
        void configured(Map<String, Object> configuration) { configure(configuration); }

        @Override
        protected Dataset<Sample> create(Params p) { return MnistProviders.create(IdxImageDataset.Kind.FASHION_MNIST, p); }
    }
}
