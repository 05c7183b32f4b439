package dev.kindling.kernel.spi;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something that can be created by name with parameters, e.g. from a JSON model description
 * ({@code {"type":"conv2d","in":1,"out":32,"kernel":3}}). The kernel keeps one registry per provider kind.
 *
 * @param <T> what it creates
 */
@ConsumerType
public interface Provider<T> {
    /** The name used in specs and the shell, e.g. {@code conv2d}, {@code adam}. */
    String name();

    String description();

    List<ParameterSpec> parameters();

    /** Creates an instance; missing required or unknown parameters are an {@link IllegalArgumentException} naming them. */
    T create(Map<String, Object> parameters);
}
