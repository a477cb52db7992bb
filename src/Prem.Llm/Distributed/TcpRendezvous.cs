using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prem.Llm.Distributed;

/// <summary>
/// A one-shot TCP rendezvous at MASTER_ADDR:MASTER_PORT for launchers without MPI (torchrun-style):
/// rank 0 listens, every other rank connects and states its rank and world size, rank 0 checks that
/// exactly ranks 1..N−1 came with the same world size, then sends each of them its payload (NCCL's
/// 128-byte unique id). Any mismatch or a rank missing at the deadline ends every rank that got
/// through with the same clear error, so nobody hangs.
/// </summary>
internal static class TcpRendezvous
{
    private const uint Magic = 0x50524456; // "PRDV"
    private static readonly TimeSpan _retryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan _replyGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Delivers rank 0's <paramref name="payload"/> to every rank; returns it on every rank.
    /// </summary>
    /// <param name="host">Rank 0's address (MASTER_ADDR).</param>
    /// <param name="port">Rank 0's port (MASTER_PORT).</param>
    /// <param name="rank">This rank.</param>
    /// <param name="size">World size as this rank believes it.</param>
    /// <param name="payload">The bytes to share; read on rank 0 only.</param>
    /// <param name="timeout">Deadline for the whole rendezvous.</param>
    /// <exception cref="DistributedException">A rank did not arrive in time, ranks disagree on the world size, or rank 0 is unreachable.</exception>
    public static byte[] Exchange(string host, int port, int rank, int size, ReadOnlySpan<byte> payload, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (size < 1 || rank < 0 || rank >= size) throw new DistributedException(rank, size, $"rank {rank} is outside [0, {size}).");
        if (size == 1) return payload.ToArray();
        var deadline = Stopwatch.StartNew();
        return rank == 0
            ? Serve(host, port, size, payload.ToArray(), timeout, deadline)
            : Join(host, port, rank, size, timeout, deadline);
    }

    private static byte[] Serve(string host, int port, int size, byte[] payload, TimeSpan timeout, Stopwatch clock)
    {
        using var listener = new TcpListener(ListenAddress(host), port);
        try { listener.Start(size); }
        catch (SocketException e) { throw new DistributedException(0, size, $"cannot listen on {host}:{port} for the rendezvous: {e.Message}.", e); }
        var peers = new Dictionary<int, Socket>();
        string? error = null;
        Span<byte> hello = stackalloc byte[12];
        try
        {
            while (peers.Count < size - 1 && error is null)
            {
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    var missing = Enumerable.Range(1, size - 1).Where(r => !peers.ContainsKey(r));
                    error = $"rendezvous at {host}:{port} timed out after {timeout.TotalSeconds:0.#} s: rank(s) {string.Join(", ", missing)} of {size} did not arrive.";
                    break;
                }
                using var cts = new CancellationTokenSource(left);
                Socket socket;
                try { socket = listener.AcceptSocketAsync(cts.Token).AsTask().GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { continue; }
                socket.ReceiveTimeout = (int)Math.Max(1, left.TotalMilliseconds);
                try { ReadExactly(socket, hello); }
                catch (Exception e) when (e is SocketException or EndOfStreamException) { socket.Dispose(); continue; }
                int peerRank = BinaryPrimitives.ReadInt32LittleEndian(hello[4..]), peerSize = BinaryPrimitives.ReadInt32LittleEndian(hello[8..]);
                if (BinaryPrimitives.ReadUInt32LittleEndian(hello) != Magic) { socket.Dispose(); continue; }
                if (peerSize != size)
                    error = $"world size mismatch: rank 0 expects {size} ranks, rank {peerRank} was launched with {peerSize}.";
                else if (peerRank < 1 || peerRank >= size || peers.ContainsKey(peerRank))
                    error = $"rank {peerRank} joined twice or is outside [1, {size}).";
                if (peers.TryGetValue(peerRank, out var duplicate)) duplicate.Dispose();
                peers[peerRank] = socket;
            }
            foreach (var socket in peers.Values) Reply(socket, error, payload);
        }
        finally
        {
            foreach (var socket in peers.Values) socket.Dispose();
        }
        if (error is not null) throw new DistributedException(0, size, error);
        return payload;
    }

    private static byte[] Join(string host, int port, int rank, int size, TimeSpan timeout, Stopwatch clock)
    {
        Socket? socket = null;
        SocketException? last = null;
        while (socket is null)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new DistributedException(rank, size, $"could not reach rank 0's rendezvous at {host}:{port} within {timeout.TotalSeconds:0.#} s ({last?.Message ?? "no answer"}); is rank 0 running and MASTER_ADDR/MASTER_PORT the same on every rank?");
            var attempt = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var cts = new CancellationTokenSource(left);
                attempt.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
                socket = attempt;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                last = e as SocketException ?? last;
                attempt.Dispose();
                Thread.Sleep(_retryDelay);
            }
        }
        using (socket)
        {
            Span<byte> hello = stackalloc byte[12];
            BinaryPrimitives.WriteUInt32LittleEndian(hello, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(hello[4..], rank);
            BinaryPrimitives.WriteInt32LittleEndian(hello[8..], size);
            socket.Send(hello);
            // Rank 0 answers at the latest at its own deadline; the grace lets its verdict (e.g. which rank
            // is missing) arrive rather than this rank timing out at the same instant with less to say.
            socket.ReceiveTimeout = (int)Math.Max(1, (timeout - clock.Elapsed + _replyGrace).TotalMilliseconds);
            try
            {
                Span<byte> header = stackalloc byte[5];
                ReadExactly(socket, header);
                var body = new byte[BinaryPrimitives.ReadInt32LittleEndian(header[1..])];
                ReadExactly(socket, body);
                if (header[0] != 0) throw new DistributedException(rank, size, $"rank 0 ended the rendezvous: {Encoding.UTF8.GetString(body)}");
                return body;
            }
            catch (Exception e) when (e is SocketException or EndOfStreamException)
            {
                throw new DistributedException(rank, size, $"rank 0 at {host}:{port} did not complete the rendezvous within {timeout.TotalSeconds:0.#} s ({e.Message}).", e);
            }
        }
    }

    private static void Reply(Socket socket, string? error, byte[] payload)
    {
        var body = error is null ? payload : Encoding.UTF8.GetBytes(error);
        var message = new byte[5 + body.Length];
        message[0] = (byte)(error is null ? 0 : 1);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(1), body.Length);
        body.CopyTo(message, 5);
        try { socket.Send(message); }
        catch (SocketException) { /* that peer is gone; the others still get the answer */ }
    }

    private static IPAddress ListenAddress(string host)
    {
        // Listen on the named address when it is a literal (tests use 127.0.0.1), else on all interfaces:
        // MASTER_ADDR is usually a host name that resolves to one of this machine's addresses.
        return IPAddress.TryParse(host, out var address) ? address : IPAddress.Any;
    }

    private static void ReadExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = socket.Receive(buffer);
            if (n == 0) throw new EndOfStreamException("connection closed");
            buffer = buffer[n..];
        }
    }
}
