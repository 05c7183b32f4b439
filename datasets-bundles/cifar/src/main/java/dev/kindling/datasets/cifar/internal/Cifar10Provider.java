package dev.kindling.datasets.cifar.internal;

import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.AbstractDatasetProvider;
import dev.kindling.datasets.cifar.Cifar10Dataset;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;

import java.util.Map;

/** The {@code cifar10} dataset provider. */
@Component(service = DatasetProvider.class, configurationPid = AbstractDatasetProvider.CONFIGURATION_PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class Cifar10Provider extends AbstractDatasetProvider {
    public Cifar10Provider() {
        super("cifar10", "CIFAR-10 from the binary batches or cifar-10-binary.tar.gz (32x32x3 UINT8 HWC images, 10 classes)",
                ParameterSpec.required("root", "path", "folder with the .bin batches, cifar-10-batches-bin/ or cifar-10-binary.tar.gz, or the archive itself"),
                ParameterSpec.optional("train", "boolean", true, "the 50,000-image training split, else the 10,000-image test split"),
                TRANSFORM, TARGET_TRANSFORM);
    }

    /** Defaults from {@value AbstractDatasetProvider#CONFIGURATION_PID}, e.g. {@code <name>.root}. */
    @Activate
    @Modified
    void configured(Map<String, Object> configuration) { configure(configuration); }

    @Override
    protected Dataset<Sample> create(Params p) {
        return new Cifar10Dataset(p.path("root"), p.bool("train"), p.transform("transform"), p.transform("targetTransform"));
    }
}
