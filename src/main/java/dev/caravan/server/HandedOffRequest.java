package dev.caravan.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request already in async mode (the dispatcher started it to free Tomcat's thread), as the SDK transport sees it
 * on the {@link CallHandoff} pool. The SDK starts async mode itself for the streams it holds open; Tomcat refuses a
 * second {@code startAsync} in one dispatch, so here {@code startAsync} hands out the context already started, and
 * notes that the SDK now owns its completion. Listeners are kept here rather than added to Tomcat's context after
 * its dispatch returned, which the servlet spec does not allow.
 */
final class HandedOffRequest extends HttpServletRequestWrapper {
    private final AsyncContext started;
    private final HttpServletResponse response;
    private final Context context = new Context();
    private final List<AsyncListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean sdkOwned;

    HandedOffRequest(HttpServletRequest request, HttpServletResponse response, AsyncContext started) {
        super(request);
        this.started = started;
        this.response = response;
        started.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) throws IOException {
                ended.set(true);
                for (AsyncListener l : listeners) {
                    l.onComplete(new AsyncEvent(context, event.getThrowable()));
                }
            }

            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                for (AsyncListener l : listeners) {
                    l.onTimeout(new AsyncEvent(context, event.getThrowable()));
                }
            }

            @Override
            public void onError(AsyncEvent event) throws IOException {
                for (AsyncListener l : listeners) {
                    l.onError(new AsyncEvent(context, event.getThrowable()));
                }
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
    }

    /** The SDK started async mode and has not completed it: it holds a stream open (an SSE or listen stream). */
    boolean keptOpen() {
        return sdkOwned && !ended.get();
    }

    /** Ends the exchange (once), whoever asks: the dispatcher when the SDK kept nothing open, the SDK, a sweep. */
    void completeOurs() {
        if (ended.compareAndSet(false, true)) {
            try {
                started.complete();
            } catch (IllegalStateException e) {
                // Tomcat ended it already (the client went away, or an error it handled).
            }
        }
    }

    @Override
    public AsyncContext startAsync() {
        sdkOwned = true;
        return context;
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        return startAsync();
    }

    @Override
    public boolean isAsyncStarted() {
        return !ended.get();
    }

    @Override
    public boolean isAsyncSupported() {
        return true;
    }

    @Override
    public AsyncContext getAsyncContext() {
        return context;
    }

    private final class Context implements AsyncContext {
        @Override
        public ServletRequest getRequest() {
            return HandedOffRequest.this;
        }

        @Override
        public ServletResponse getResponse() {
            return response;
        }

        @Override
        public boolean hasOriginalRequestAndResponse() {
            return false;
        }

        @Override
        public void dispatch() {
            started.dispatch();
        }

        @Override
        public void dispatch(String path) {
            started.dispatch(path);
        }

        @Override
        public void dispatch(ServletContext servletContext, String path) {
            started.dispatch(servletContext, path);
        }

        @Override
        public void complete() {
            completeOurs();
        }

        @Override
        public void start(Runnable run) {
            started.start(run);
        }

        @Override
        public void addListener(AsyncListener listener) {
            listeners.add(listener);
            if (ended.get()) {
                try {
                    listener.onComplete(new AsyncEvent(this));
                } catch (IOException e) {
                    // a listener's own failure; the exchange is over anyway
                }
            }
        }

        @Override
        public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
            addListener(listener);
        }

        @Override
        public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
            return started.createListener(type);
        }

        @Override
        public void setTimeout(long timeout) {
            started.setTimeout(timeout);
        }

        @Override
        public long getTimeout() {
            return started.getTimeout();
        }
    }
}
