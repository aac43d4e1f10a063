package io.ferrite.transport.server;

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

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin HTTP port: {@code GET /health} answers 200 with a small JSON document while the server
 * is up (503 while it stops). Control path only: one NIO thread, allocation is fine.
 *
 * <p>Thread-safety: start and close from one thread.
 */
public final class AdminServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private volatile boolean stopping;

    private AdminServer(String bind, int port, Supplier<String> healthJson) throws InterruptedException {
        this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024),
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                ctx.writeAndFlush(respond(request, healthJson)).addListener(ChannelFutureListener.CLOSE);
                            }
                        });
                }
            }).bind(bind, port).sync().channel();
    }

    /** Serves the admin endpoints on {@code bind:port} (0 = any free port). */
    public static AdminServer start(String bind, int port, Supplier<String> healthJson) {
        try {
            return new AdminServer(bind, port, healthJson);
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
            body = "{\"error\":\"no such endpoint; try GET /health\"}";
        }
        ByteBuf content = Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
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
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
