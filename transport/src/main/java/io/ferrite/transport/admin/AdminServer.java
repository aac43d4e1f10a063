package io.ferrite.transport.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP port: a small table of routes by method and path ({@code GET /health} and whatever
 * the application adds, e.g. the CLI's {@code GET /profile}). Each request runs its route on a
 * virtual thread of its own, so a slow route never stalls the others. Routes registered as guarded
 * need {@code Authorization: Bearer <token>} when the server has a token (constant-time compare).
 * With TLS it serves HTTPS only. Control path only: one NIO event loop; allocation is fine.
 *
 * <p>Thread-safety: build and start on one thread; close once; routes from any thread.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, Route> routes;
    private final List<byte[]> tokens;
    private final SslContext tls;
    private final Channel channel;

    private record Route(AdminRoute handler, boolean guarded) {
    }

    private AdminServer(Builder builder) throws Exception {
        this.routes = Map.copyOf(builder.routes);
        this.tokens = List.copyOf(builder.tokens);
        this.tls = builder.tls;
        this.channel = bind(builder);
    }

    private Channel bind(Builder builder) throws Exception {
        try {
            return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024),
                            new SimpleChannelInboundHandler<FullHttpRequest>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                    dispatch(ctx, request);
                                }
                            });
                    }
                }).bind(builder.bind, builder.port).sync().channel();
        } catch (Exception e) { // Netty rethrows a failed bind's checked IOException unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String method = request.method().name();
        Route route = routes.get(method + " " + uri.path());
        if (route == null) {
            boolean pathKnown = routes.keySet().stream().anyMatch(key -> key.endsWith(" " + uri.path()));
            reply(ctx, pathKnown ? AdminResponse.error(405, method + " is not allowed on " + uri.path())
                : AdminResponse.error(404, "no such endpoint; there are " + String.join(", ", routes.keySet())));
            return;
        }
        if (route.guarded() && !tokens.isEmpty() && !authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            reply(ctx, AdminResponse.error(401, "this server has a token: send it as 'Authorization: Bearer <token>'"));
            return;
        }
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(header -> headers.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
        AdminRequest adminRequest = new AdminRequest(method, uri.path(), uri.parameters(), headers);
        Thread.ofVirtual().name("admin " + method + " " + uri.path()).start(() -> reply(ctx, run(route, adminRequest)));
    }

    private static AdminResponse run(Route route, AdminRequest request) {
        try {
            return route.handler().handle(request);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(400, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AdminResponse.error(503, "the server is stopping");
        } catch (Exception e) {
            LOG.warn("admin route {} {} failed", request.method(), request.path(), e);
            return AdminResponse.error(500, String.valueOf(e.getMessage()));
        }
    }

    private static void reply(ChannelHandlerContext ctx, AdminResponse answer) {
        ByteBuf content = Unpooled.wrappedBuffer(answer.body());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        // said, not only done: a client that pools connections must not send its next request on this one
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] offered = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] token : tokens) { // every token, every time: the answer takes as long whichever matched
            match |= MessageDigest.isEqual(offered, token);
        }
        return match;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /**
     * Builds an {@link AdminServer}: where it listens, its token, its routes.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 7071;
        private final List<byte[]> tokens = new ArrayList<>();
        private SslContext tls;
        private final Map<String, Route> routes = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /** 0 = any free port. */
        public Builder port(int tcpPort) {
            this.port = tcpPort;
            return this;
        }

        /** A bearer token guarded routes accept (null: none added); with no token at all, they are open. */
        public Builder token(byte[] bearerToken) {
            if (bearerToken != null) {
                tokens.add(bearerToken);
            }
            return this;
        }

        /** Serve HTTPS with this context (the FWP/1 port's: same certificate, same client CA); null: HTTP. */
        public Builder tls(SslContext context) {
            this.tls = context;
            return this;
        }

        /** An open route: anyone who reaches the port may call it. */
        public Builder route(String method, String path, AdminRoute handler) {
            routes.put(method + " " + path, new Route(handler, false));
            return this;
        }

        /** A route that needs the bearer token when the server has one. */
        public Builder guardedRoute(String method, String path, AdminRoute handler) {
            routes.put(method + " " + path, new Route(handler, true));
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IllegalStateException when the port cannot be bound
         */
        public AdminServer start() {
            try {
                return new AdminServer(this);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted binding the admin port", e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot listen on admin port " + bind + ":" + port + ": "
                    + e.getMessage(), e);
            }
        }
    }
}
