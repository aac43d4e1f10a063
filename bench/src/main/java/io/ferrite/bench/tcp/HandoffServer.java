package io.ferrite.bench.tcp;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.bench.engine.TempDirectory;
import io.ferrite.concurrent.Progress;
import io.ferrite.engine.Engine;
import io.ferrite.engine.IdleKind;
import io.ferrite.engine.sequencer.EventBatch;
import io.ferrite.engine.sequencer.Sequencer;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.Wire;
import io.ferrite.transport.server.NettyFrames;
import io.ferrite.transport.server.TransportKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.jctools.queues.MpscArrayQueue;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The A/B of the ingest hand-off: the same engine (ASYNC Chronicle journal, dedup window on, one
 * no-op stage) behind a minimal FWP/1 server on Netty, fed in one of two shapes.
 * <ul>
 *   <li>{@link Shape#DIRECT}: the event loop that read the bytes validates the EVENT frames in
 *       place and offers them to the engine as one batch, then writes the cumulative ACK — the
 *       shape {@code FerriteServer} has;</li>
 *   <li>{@link Shape#QUEUE}: the design card's shape — the event loop validates the frames, hands
 *       a retained slice of the read (zero copy) through a JCTools MPSC queue to one journal-writer
 *       thread (an Agrona agent, backing off when idle like the stages), which offers the batch
 *       and publishes the connection's ACK position; the event loop is woken (one task per
 *       pending ACK) to write it.</li>
 * </ul>
 * Frame parsing, validation, the engine and the load generator are the same in both; only the
 * hand-off differs. Not the product: HELLO is answered without checking, errors are not
 * answered, back pressure waits in place.
 *
 * <p>Thread-safety: open and close from one thread.
 */
public final class HandoffServer implements IngestTarget {
    /** Where the journal append runs. */
    public enum Shape { DIRECT, QUEUE }

    private static final int MAX_FRAME_LENGTH = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
    private static final int QUEUE_CAPACITY = 4096;

    private final TempDirectory directory = new TempDirectory();
    private final Engine engine;
    private final EventLoopGroup group;
    private final Channel channel;
    private final MpscArrayQueue<ReadBatch> queue = new MpscArrayQueue<>(QUEUE_CAPACITY);
    private final AgentRunner writer;

    public HandoffServer(TransportKind transport, Shape shape) {
        engine = Engine.builder().journal(directory.path()).cpuLayout(CpuLayout.none())
            .stage("count", (event, index, endOfBatch) -> { }).build();
        group = new MultiThreadIoEventLoopGroup(1, NettyTransports.ioHandlerFactory(transport));
        writer = shape == Shape.QUEUE ? new AgentRunner(IdleKind.BACKOFF.newStrategy(), Throwable::printStackTrace,
            null, new JournalWriter()) : null;
        if (writer != null) {
            AgentRunner.startOnThread(writer);
        }
        channel = new ServerBootstrap().group(group).channel(NettyTransports.serverChannel(transport))
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel child) {
                    child.pipeline().addLast(new Connection(shape));
                }
            })
            .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    @Override
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (writer != null) {
            writer.close();
        }
        try {
            engine.close();
        } finally {
            directory.close();
        }
    }

    /** Offers every event of {@code batch}, waiting while the engine is full (both shapes alike). */
    private void offerAll(EventBatch batch) {
        int done = 0;
        while ((done += engine.offer(batch)) < batch.count()) {
            Thread.onSpinWait();
        }
    }

    /** Adds the EVENT frames among {@code [from, to)} of {@code memory} to {@code batch}; returns the last correlationId. */
    private static long collectEvents(MemorySegment memory, long from, long to, EventBatch batch) {
        long last = 0;
        long at = from;
        while (at < to) {
            long length = Integer.toUnsignedLong(memory.get(Wire.U32, at + FrameHeader.LENGTH_OFFSET));
            int kind = Short.toUnsignedInt(memory.get(Wire.U16, at + FrameHeader.KIND_OFFSET));
            long body = at + FrameHeader.BODY_OFFSET;
            int bodyLength = (int) (length - (FrameHeader.BODY_OFFSET - FrameHeader.LENGTH_FIELD_SIZE));
            if (kind == FrameKind.EVENT && EventFrame.check(memory, body, bodyLength) == null) {
                batch.add(body, bodyLength);
                last = memory.get(Wire.U64, body + EventFrame.CORRELATION_ID_OFFSET);
            }
            at += FrameHeader.LENGTH_FIELD_SIZE + length;
        }
        return last;
    }

    /** One read's EVENT frames on their way to the journal writer (QUEUE shape). */
    private record ReadBatch(Connection connection, ByteBuf frames) {
    }

    /** One connection, confined to its event loop (the ACK position is the writer's to set in QUEUE shape). */
    private final class Connection extends ByteToMessageDecoder {
        private final Shape shape;
        private final EventBatch batch = new EventBatch(Sequencer.MAX_BATCH_EVENTS);
        private final Progress ackPosition = new Progress();
        private final AtomicBoolean ackScheduled = new AtomicBoolean();
        private final Runnable writeAck = this::writeAck;
        private ChannelHandlerContext context;
        private long acked;

        Connection(Shape shape) {
            this.shape = shape;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            MemorySegment memory = NettyFrames.memory(in);
            long base = NettyFrames.address(in);
            int start = in.readerIndex();
            int end = start;
            boolean events = false;
            while (in.writerIndex() - end >= FrameHeader.LENGTH_FIELD_SIZE) {
                long length = in.getUnsignedIntLE(end + FrameHeader.LENGTH_OFFSET);
                if (length > MAX_FRAME_LENGTH || in.writerIndex() - end < FrameHeader.LENGTH_FIELD_SIZE + length) {
                    break;
                }
                int kind = in.getUnsignedShortLE(end + FrameHeader.KIND_OFFSET);
                if (kind == FrameKind.HELLO) {
                    ctx.write(NettyFrames.welcome(ctx.alloc(), MAX_FRAME_LENGTH, 42));
                } else if (kind == FrameKind.PING) {
                    ctx.write(NettyFrames.pong(ctx.alloc(), in.getLongLE(end + FrameHeader.BODY_OFFSET)));
                } else if (kind == FrameKind.EVENT) {
                    events = true;
                }
                end += (int) (FrameHeader.LENGTH_FIELD_SIZE + length);
                if (end - start >= (Sequencer.MAX_BATCH_EVENTS - 1) * 48) {
                    break; // at most one batch of the smallest frames
                }
            }
            if (end == start) {
                return;
            }
            if (!events) {
                in.readerIndex(end);
                return;
            }
            if (shape == Shape.DIRECT) {
                batch.reset(memory);
                long last = collectEvents(memory, base + start, base + end, batch);
                offerAll(batch);
                ackPosition.setRelease(last);
                in.readerIndex(end);
            } else {
                ByteBuf frames = in.retainedSlice(start, end - start);
                in.readerIndex(end);
                ReadBatch read = new ReadBatch(this, frames);
                while (!queue.offer(read)) {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            if (shape == Shape.DIRECT) {
                writeAck();
            } else {
                ctx.flush();
            }
            super.channelReadComplete(ctx);
        }

        /** Writer thread (QUEUE): the ACK position moved; wakes the event loop once per pending ACK. */
        void acked(long correlationId) {
            ackPosition.setRelease(correlationId);
            if (ackScheduled.compareAndSet(false, true)) {
                context.executor().execute(writeAck);
            }
        }

        /** Event loop: ACKs up to the latest position. */
        private void writeAck() {
            ackScheduled.set(false);
            long position = ackPosition.getAcquire();
            if (position > acked) {
                acked = position;
                context.write(NettyFrames.ack(context.alloc(), position, position));
            }
            context.flush();
        }
    }

    /** The journal-writer thread of the QUEUE shape. */
    private final class JournalWriter implements Agent {
        private final EventBatch batch = new EventBatch(Sequencer.MAX_BATCH_EVENTS);

        @Override
        public int doWork() {
            int work = 0;
            ReadBatch read;
            while ((read = queue.poll()) != null) {
                ByteBuf frames = read.frames();
                try {
                    MemorySegment memory = NettyFrames.memory(frames);
                    long base = NettyFrames.address(frames) + frames.readerIndex();
                    batch.reset(memory);
                    long last = collectEvents(memory, base, base + frames.readableBytes(), batch);
                    offerAll(batch);
                    read.connection().acked(last);
                } finally {
                    frames.release();
                }
                work++;
            }
            return work;
        }

        @Override
        public String roleName() {
            return "ferrite-journal-writer";
        }
    }
}
