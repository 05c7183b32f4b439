package dev.kindling.serving;

import dev.kindling.api.Tensor;
import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.Map;

/**
 * A model version that a Kindling server has loaded, warmed up and serves. Each one is registered as an OSGi service with
 * the properties {@link #NAME}, {@link #VERSION}, {@link #STATE}, {@link #PLATFORM}, {@link #SOURCE} and {@link #ENDPOINT}
 * while it is ready, and unregistered when it is replaced or unloaded ({@code kindling:models} lists them).
 */
@ProviderType
public interface ServedModel {
    /** Service property: the model's name in the repository. */
    String NAME = "model.name";
    /** Service property: the version (a decimal number, the folder name). */
    String VERSION = "model.version";
    /** Service property: {@code READY} while the version serves (it is unregistered when replaced or unloaded). */
    String STATE = "model.state";
    /** Service property: what runs the model, {@code kindling} or {@code onnx}. */
    String PLATFORM = "model.platform";
    /** Service property: the file or checkpoint directory the version was loaded from. */
    String SOURCE = "model.source";
    /** Service property: the server's address, e.g. {@code http://127.0.0.1:8080/}. */
    String ENDPOINT = "serving.endpoint";

    String name();

    String version();

    /** The input names, in the order the model takes them. */
    List<String> inputNames();

    /**
     * Runs the model on named inputs (each with the batch along dim 0) through the version's batching queue, as an
     * HTTP request would, under no-grad, and returns the named outputs on the CPU.
     *
     * @throws IllegalArgumentException an input is missing, unknown, or of the wrong dtype or shape
     * @throws IllegalStateException the queue is full, the version was unloaded, or the model failed on the batch
     */
    Map<String, Tensor> infer(Map<String, Tensor> inputs);
}
