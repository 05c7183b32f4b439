/** An example third-party extension: a layer and an optimizer contributed by their own bundle. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.examples.extension;
