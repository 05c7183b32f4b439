/**
 * The op table's typed signatures (PyTorch's FunctionSchema): {@link dev.kindling.api.schema.NativeFunctions} lists
 * every op of Kindling with its inputs, attributes, results and tags, generated from {@code native_functions.schema}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.api.schema;
