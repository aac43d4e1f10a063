package io.ferrite.transport.server;

import io.ferrite.profile.ProfileArchive;
import io.ferrite.profile.ProfileEvent;
import io.ferrite.profile.ProfileResult;
import io.ferrite.profile.ProfileSession;
import io.ferrite.transport.JsonText;
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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The admin HTTP port. {@code GET /health} answers 200 with a small JSON document while the server
 * is up (503 while it stops). {@code GET /profile?event=cpu|alloc|wall|lock&millis=N} profiles this
 * process with async-profiler for N milliseconds (at most ten minutes) and answers a zip of the
 * flamegraph, the collapsed stacks and a summary ({@link ProfileArchive}); when the server has a
 * token, it must come as {@code Authorization: Bearer <token>}. Control path only: one NIO
 * thread, allocation is fine; a profile runs on its own thread so health keeps answering.
 *
 * <p>Thread-safety: start and close from one thread.
 */
public final class AdminServer implements AutoCloseable {
    private static final long MAX_PROFILE_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final byte[] token;
    private volatile boolean stopping;
    private volatile ProfileSession activeProfile;

    private AdminServer(String bind, int port, byte[] token, Supplier<String> healthJson) throws InterruptedException {
        this.token = token;
        this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024),
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                QueryStringDecoder uri = new QueryStringDecoder(request.uri());
                                if (uri.path().equals("/profile") && request.method().equals(HttpMethod.GET)) {
                                    profile(ctx, request, uri);
                                    return;
                                }
                                ctx.writeAndFlush(respond(request, healthJson)).addListener(ChannelFutureListener.CLOSE);
                            }
                        });
                }
            }).bind(bind, port).sync().channel();
    }

    /**
     * Serves the admin endpoints on {@code bind:port} (0 = any free port).
     *
     * @param token what {@code /profile} requires as a bearer token, or null for none
     */
    public static AdminServer start(String bind, int port, byte[] token, Supplier<String> healthJson) {
        try {
            return new AdminServer(bind, port, token, healthJson);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted binding admin port", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on admin port " + bind + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private FullHttpResponse respond(FullHttpRequest request, Supplier<String> healthJson) {
        HttpResponseStatus status;
        String body;
        if (!request.method().equals(HttpMethod.GET)) {
            status = HttpResponseStatus.METHOD_NOT_ALLOWED;
            body = "{\"error\":\"only GET\"}";
        } else if (request.uri().equals("/health")) {
            status = stopping ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
            body = stopping ? "{\"status\":\"STOPPING\"}" : healthJson.get();
        } else {
            status = HttpResponseStatus.NOT_FOUND;
            body = "{\"error\":\"no such endpoint; try GET /health or GET /profile?event=cpu&millis=30000\"}";
        }
        return json(status, body);
    }

    private void profile(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        FullHttpResponse refusal = null;
        ProfileEvent event = null;
        long millis = 0;
        if (token != null && !authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            refusal = json(HttpResponseStatus.UNAUTHORIZED,
                "{\"error\":\"this server has a token: send it as 'Authorization: Bearer <token>'\"}");
        } else {
            try {
                event = ProfileEvent.parse(parameter(uri, "event", "cpu"));
                millis = Long.parseLong(parameter(uri, "millis", "30000"));
                if (millis <= 0 || millis > MAX_PROFILE_MILLIS) {
                    throw new IllegalArgumentException("millis must be in [1, " + MAX_PROFILE_MILLIS + "], was " + millis);
                }
            } catch (IllegalArgumentException e) {
                refusal = json(HttpResponseStatus.BAD_REQUEST, "{\"error\":" + JsonText.quote(e.getMessage()) + "}");
            }
        }
        if (refusal != null) {
            ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ProfileEvent chosen = event;
        long duration = millis;
        Thread.ofPlatform().daemon().name("admin-profile").start(() ->
            ctx.writeAndFlush(runProfile(chosen, duration)).addListener(ChannelFutureListener.CLOSE));
    }

    private FullHttpResponse runProfile(ProfileEvent event, long millis) {
        ProfileSession session;
        try {
            session = ProfileSession.start(event);
        } catch (IllegalStateException e) {
            return json(HttpResponseStatus.CONFLICT, "{\"error\":" + JsonText.quote(e.getMessage()) + "}");
        }
        activeProfile = session;
        Path directory = null;
        try {
            Thread.sleep(millis);
            directory = Files.createTempDirectory("ferrite-profile");
            ProfileResult result = session.stop(directory);
            ByteBuf content = Unpooled.wrappedBuffer(ProfileArchive.pack(result));
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/zip");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.abandon();
            return json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"the server is stopping\"}");
        } catch (IOException | RuntimeException e) {
            session.abandon();
            return json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\":" + JsonText.quote(String.valueOf(e.getMessage())) + "}");
        } finally {
            activeProfile = null;
            deleteQuietly(directory);
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] offered = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(offered, token);
    }

    private static String parameter(QueryStringDecoder uri, String name, String fallback) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? fallback : values.getFirst();
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Health answers 503 from now on. */
    public void markStopping() {
        stopping = true;
    }

    @Override
    public void close() {
        ProfileSession profile = activeProfile;
        if (profile != null) {
            profile.abandon();
        }
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
