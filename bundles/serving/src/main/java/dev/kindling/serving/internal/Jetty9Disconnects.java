package dev.kindling.serving.internal;

import javax.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * A {@link ConnectionWatch} on Jetty 9.4, which Pax Web 8 (Apache Karaf 4.4) runs under the javax HTTP Whiteboard.
 * Jetty 9.4 and Jetty 12 share package names, and this bundle compiles against Jetty 12, so Jetty 9.4 is reached by
 * reflection (through the bundle's optional imports of {@code org.eclipse.jetty.server}, {@code .io}, {@code .util});
 * where its methods are not there, nothing is watched.
 */
final class Jetty9Disconnects extends ConnectionWatch {
    /** Jetty 9.4's methods, or null when this is not Jetty 9.4. */
    private static final Api API = Api.find();

    private record Api(Method getBaseRequest, Method getHttpChannel, Method getEndPoint, Method tryFillInterested,
                       Method fill, Class<?> abstractEndPoint, Method getFillInterest, Method onFail, Method callbackFrom,
                       Object blocking) {
        static Api find() {
            try {
                ClassLoader cl = Jetty9Disconnects.class.getClassLoader();
                Class<?> request = Class.forName("org.eclipse.jetty.server.Request", false, cl);
                Class<?> channel = Class.forName("org.eclipse.jetty.server.HttpChannel", false, cl);
                Class<?> endPoint = Class.forName("org.eclipse.jetty.io.EndPoint", false, cl);
                Class<?> abstractEndPoint = Class.forName("org.eclipse.jetty.io.AbstractEndPoint", false, cl);
                Class<?> fillInterest = Class.forName("org.eclipse.jetty.io.FillInterest", false, cl);
                Class<?> callback = Class.forName("org.eclipse.jetty.util.Callback", false, cl);
                @SuppressWarnings({"unchecked", "rawtypes"})
                Class<? extends Enum> invocationType = (Class<? extends Enum>) Class.forName("org.eclipse.jetty.util.thread.Invocable$InvocationType", false, cl);
                return new Api(request.getMethod("getBaseRequest", javax.servlet.ServletRequest.class), request.getMethod("getHttpChannel"),
                        channel.getMethod("getEndPoint"), endPoint.getMethod("tryFillInterested", callback), endPoint.getMethod("fill", ByteBuffer.class),
                        abstractEndPoint, abstractEndPoint.getMethod("getFillInterest"), fillInterest.getMethod("onFail", Throwable.class),
                        callback.getMethod("from", invocationType, Runnable.class, Consumer.class), enumConstant(invocationType, "BLOCKING"));
            } catch (ReflectiveOperationException | LinkageError | IllegalArgumentException e) {
                return null; // not Jetty 9.4 (or not visible to this bundle)
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object enumConstant(Class<? extends Enum> type, String name) { return Enum.valueOf(type, name); }
    }

    private final Object endPoint;

    private Jetty9Disconnects(Object endPoint, Runnable onGone) {
        super(onGone);
        this.endPoint = endPoint;
    }

    static boolean available() { return API != null; }

    /** Starts watching {@code req}'s connection; null where it cannot (see {@link JettyDisconnects#watch}). */
    static Jetty9Disconnects watch(HttpServletRequest req, Runnable onGone) throws IOException {
        if (API == null || !req.getInputStream().isFinished() || !req.getProtocol().startsWith("HTTP/1.")) return null;
        try {
            Object base = API.getBaseRequest.invoke(null, req);
            Object channel = base == null ? null : API.getHttpChannel.invoke(base);
            Object endPoint = channel == null ? null : API.getEndPoint.invoke(channel);
            if (!API.abstractEndPoint.isInstance(endPoint)) return null; // its interest could not be withdrawn before the answer
            Jetty9Disconnects watch = new Jetty9Disconnects(endPoint, onGone);
            Consumer<Throwable> failed = t -> watch.broken();
            Object callback = API.callbackFrom.invoke(null, API.blocking, (Runnable) watch::readable, failed);
            return (Boolean) API.tryFillInterested.invoke(endPoint, callback) ? watch : null;
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            return null; // a Jetty that differs from 9.4: the request is simply not watched
        }
    }

    @Override
    int readOne() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        one.limit(0); // Jetty's buffers are filled from the limit (flush mode), as BufferUtil.allocate makes them
        try {
            return (Integer) API.fill.invoke(endPoint, one);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException(e);
        }
    }

    @Override
    void withdraw() {
        try {
            API.onFail.invoke(API.getFillInterest.invoke(endPoint), new CancellationException("answered"));
        } catch (IllegalAccessException | InvocationTargetException e) {
            // cannot happen for public methods; the interest then fires once and finds the watch stopped
        }
    }
}
