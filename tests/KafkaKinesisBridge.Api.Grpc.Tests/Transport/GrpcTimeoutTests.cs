using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal;
using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Api.Grpc.Tests.Transport;

/// <summary>grpc-timeout as gRPC PROTOCOL-HTTP2 defines it, and the names of transport-level failures.</summary>
public sealed class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H")]
    [InlineData("30S")]
    [InlineData("99999999n")]
    [InlineData("250m")]
    [InlineData("7u")]
    [InlineData("1M")]
    public void Check_Valid_Valid(string value) => Assert.Equal(GrpcTimeoutCheck.Valid, GrpcTimeout.Check(new StringValues(value)));

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("5")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData("10s")]
    [InlineData(" 1S")]
    public void Check_Malformed_Invalid(string value) => Assert.Equal(GrpcTimeoutCheck.Invalid, GrpcTimeout.Check(new StringValues(value)));

    [Fact]
    public void Check_TwoValues_Invalid() => Assert.Equal(GrpcTimeoutCheck.Invalid, GrpcTimeout.Check(new StringValues(["1S", "2S"])));

    [Theory]
    [InlineData("0n")]
    [InlineData("00000000S")]
    public void Check_Zero_Expired(string value) => Assert.Equal(GrpcTimeoutCheck.Expired, GrpcTimeout.Check(new StringValues(value)));

    [Theory]
    [InlineData(StatusCode.Unimplemented, "Method is unimplemented.", "UnknownOperationException")]
    [InlineData(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.", "RequestEntityTooLarge")]
    [InlineData(StatusCode.Internal, "Failed to deserialize request message.", "SerializationException")]
    [InlineData(StatusCode.Internal, "Exception was thrown by handler.", "InternalFailureException")]
    [InlineData(StatusCode.Unknown, "Exception was thrown by handler.", "InternalFailureException")]
    [InlineData(StatusCode.DeadlineExceeded, "Deadline Exceeded", null)]
    [InlineData(StatusCode.Cancelled, "Call canceled by the client.", null)]
    public void NameTransportFailure_StatusWithoutKinesisName_NamedWherePossible(StatusCode code, string message, string? expected) =>
        Assert.Equal(expected, GrpcTransportErrorMiddleware.NameTransportFailure(code, message));
}
