package dev.kindling.serving.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/** The servlet adapter: one servlet for every path, handing each request to the current {@link Protocol}. */
final class ServingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Supplier<Protocol> protocol;

    ServingServlet(Supplier<Protocol> protocol) { this.protocol = protocol; }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Protocol.Reply r = Protocol.answer(protocol.get(), req.getMethod(), req.getRequestURI(), req.getContextPath(),
                req::getHeader, req.getInputStream(), req.getContentLengthLong());
        resp.setStatus(r.status());
        resp.setContentType(r.contentType());
        for (Map.Entry<String, String> h : r.headers().entrySet()) resp.setHeader(h.getKey(), h.getValue());
        resp.setContentLength(r.body().length);
        try {
            resp.getOutputStream().write(r.body());
        } catch (IOException e) {
            // the client went away before the answer: nothing to tell it
        }
    }
}
