package dev.caravan.upstream;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.function.Consumer;

/** A client transport that wraps another: everything it does not change is passed to {@link #delegate()}. */
abstract class ForwardingTransport implements McpClientTransport {
    /** The transport now wrapped (it may change, e.g. when a refused stream is reopened on a fresh one). */
    protected abstract McpClientTransport delegate();

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate().setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate().closeGracefully();
    }

    @Override
    public void close() {
        delegate().close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate().unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate().protocolVersions();
    }
}
