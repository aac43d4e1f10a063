package io.ferrite.bench.pipeline;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The webhook receiver of the action benchmarks: a Netty HTTP/1.1 server on loopback, one event
 * loop, that answers 200 at once or after {@code workMillis} (a timer on the loop, no thread held),
 * counts the calls it answered and the most it served at once. Light enough that the clients, not
 * the receiver, set the pace on two cores.
 *
 * <p>Thread-safety: the counters are read from any thread; the loop runs the handler.
 */
final class HookReceiver implements AutoCloseable {
    final LongAdder answered = new LongAdder();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    /** Connections the clients opened (a pooled client opens about as many as its cap, once). */
    final LongAdder connections = new LongAdder();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final EventLoopGroup loop;
    private final Channel server;

    HookReceiver(long workMillis) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        loop = new MultiThreadIoEventLoopGroup(1, io);
        server = new ServerBootstrap().group(loop)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    connections.increment();
                    channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
                                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                                if (workMillis > 0) {
                                    context.executor().schedule(() -> answer(context), workMillis, TimeUnit.MILLISECONDS);
                                } else {
                                    answer(context);
                                }
                            }
                        });
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private void answer(ChannelHandlerContext context) {
        var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        concurrent.decrementAndGet();
        answered.increment();
        context.writeAndFlush(response);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
