package dev.kindling.serving.internal;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link ServingServlet} for the javax HTTP Whiteboard (Pax Web 8 in Apache Karaf 4.4): the same adapter over the
 * javax servlet API. Only loaded when that whiteboard is the one running ({@link Whiteboard#JAVAX}).
 */
final class JavaxServingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Supplier<Protocol> protocol;

    JavaxServingServlet(Supplier<Protocol> protocol) { this.protocol = protocol; }

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
