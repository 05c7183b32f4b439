package dev.kindling.serving.internal;

import java.util.function.Supplier;

/**
 * The HTTP whiteboards a server can register its servlet with: each announces itself by a runtime service, and takes a
 * servlet of its own servlet API. Kindling's distribution runs the Jakarta one (Felix HTTP Jetty 12); Apache Karaf 4.4
 * runs the javax one (Pax Web 8). The servlet classes are only loaded for the whiteboard that is there, so the bundle
 * needs just that one servlet API.
 */
enum Whiteboard {
    /** OSGi Servlet Whiteboard 2.0 (R8.1, Jakarta Servlet 5+). */
    JAKARTA("org.osgi.service.servlet.runtime.HttpServiceRuntime", "jakarta.servlet.Servlet"),
    /** OSGi HTTP Whiteboard 1.1 (R7, javax Servlet 3.1/4.0). */
    JAVAX("org.osgi.service.http.runtime.HttpServiceRuntime", "javax.servlet.Servlet");

    /** The runtime service's interface name, whose {@code osgi.http.endpoint} property says where it listens. */
    final String runtimeService;
    /** The interface name a servlet is registered under. */
    final String servletService;

    Whiteboard(String runtimeService, String servletService) {
        this.runtimeService = runtimeService;
        this.servletService = servletService;
    }

    /** A servlet of this whiteboard's API answering every path with the current protocol (null while stopping). */
    Object servlet(Supplier<Protocol> protocol) {
        return this == JAKARTA ? new ServingServlet(protocol) : new JavaxServingServlet(protocol);
    }
}
