using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Google.Rpc;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>
/// Assertions on what a gRPC client sees, written from the public contract (streams.proto and the
/// Kinesis API reference), not from the gateway's code: the error contract, and the Kinesis hash-key
/// arithmetic computed independently (platform MD5, <see cref="BigInteger"/>).
/// </summary>
public static class KinesisAssert
{
    /// <summary>The ErrorInfo domain streams.proto promises.</summary>
    public const string ErrorDomain = "kinesis.amazonaws.com";

    /// <summary>2^128 - 1: the largest hash key.</summary>
    public static readonly BigInteger MaxHashKey = (BigInteger.One << 128) - 1;

    /// <summary>
    /// Awaits <paramref name="call"/> and checks the failure as streams.proto specifies it: the gRPC
    /// status code, grpc-message (= the Kinesis message), the <c>kinesis-error-type</c> trailer, and a
    /// google.rpc.Status in grpc-status-details-bin with the same code and message whose ErrorInfo has
    /// reason = the Kinesis error name and domain kinesis.amazonaws.com.
    /// </summary>
    /// <returns>The exception, for checks of the message.</returns>
    public static async Task<RpcException> FailsWithAsync(Func<Task> call, StatusCode expectedCode, string expectedErrorType)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        AssertKinesisError(error, expectedCode, expectedErrorType);
        return error;
    }

    /// <summary>Checks an RpcException against the error contract of streams.proto (see <see cref="FailsWithAsync"/>).</summary>
    public static void AssertKinesisError(RpcException error, StatusCode expectedCode, string expectedErrorType)
    {
        Assert.True(expectedCode == error.StatusCode, $"Expected status {expectedCode}, got {error.StatusCode} ({error.Status.Detail}); kinesis-error-type {error.Trailers.GetValue("kinesis-error-type")}");
        Assert.False(string.IsNullOrEmpty(error.Status.Detail), "grpc-message is empty");
        Assert.Equal(expectedErrorType, error.Trailers.GetValue("kinesis-error-type"));
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)expectedCode, status.Code);
        Assert.Equal(error.Status.Detail, status.Message);
        var info = status.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal(expectedErrorType, info.Reason);
        Assert.Equal(ErrorDomain, info.Domain);
    }

    /// <summary>The hash key of a partition key: MD5 of its UTF-8 bytes as a big-endian unsigned 128-bit integer.</summary>
    public static BigInteger HashKeyOf(string partitionKey) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes(partitionKey)), isUnsigned: true, isBigEndian: true);

    /// <summary>The shard whose HashKeyRange contains <paramref name="hashKey"/>.</summary>
    public static Shard ShardFor(IEnumerable<Shard> shards, BigInteger hashKey) =>
        shards.Single(s => BigInteger.Parse(s.HashKeyRange.StartingHashKey, System.Globalization.CultureInfo.InvariantCulture) <= hashKey
            && hashKey <= BigInteger.Parse(s.HashKeyRange.EndingHashKey, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// The hash key ranges Kinesis gives a new stream of <paramref name="count"/> shards: the key space
    /// cut into ranges of floor(2^128 / count) keys, the last one taking the remainder.
    /// </summary>
    public static (BigInteger Start, BigInteger End)[] ExpectedRanges(int count)
    {
        var step = (BigInteger.One << 128) / count;
        return [.. Enumerable.Range(0, count).Select(i => (step * i, i == count - 1 ? MaxHashKey : (step * (i + 1)) - 1))];
    }

    /// <summary>A sequence number as a number (they are decimal strings, compared numerically).</summary>
    public static BigInteger Sequence(string sequenceNumber)
    {
        Assert.Matches("^(0|[1-9][0-9]{0,128})$", sequenceNumber);
        return BigInteger.Parse(sequenceNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Asserts that <paramref name="sequenceNumbers"/> strictly increase.</summary>
    public static void StrictlyIncreasing(IReadOnlyList<string> sequenceNumbers)
    {
        for (var i = 1; i < sequenceNumbers.Count; i++)
        {
            Assert.True(
                Sequence(sequenceNumbers[i - 1]) < Sequence(sequenceNumbers[i]),
                $"Sequence numbers do not increase at {i}: {sequenceNumbers[i - 1]} then {sequenceNumbers[i]}");
        }
    }
}
