using KafkaKinesisBridge.Core.Security;

namespace KafkaKinesisBridge.Core.Tests.Security;

/// <summary>Unit tests of the shared access policy: patterns, actions, principals, secrets, bearer credentials.</summary>
public sealed class AccessPolicyTests
{
    [Theory]
    [InlineData("*", "orders", true)]
    [InlineData("orders*", "orders", true)]
    [InlineData("orders*", "orders-eu", true)]
    [InlineData("orders*", "order", false)]
    [InlineData("orders*", "Orders-eu", false)]
    [InlineData("*-eu", "orders-eu", true)]
    [InlineData("*-eu", "orders-us", false)]
    [InlineData("a*b*c", "a-x-b-y-c", true)]
    [InlineData("a*b*c", "a-x-c-y-b", false)]
    [InlineData("orders", "orders", true)]
    [InlineData("orders", "orders2", false)]
    [InlineData("**", "", true)]
    public void StreamNamePattern_Matches_AsGlob(string pattern, string name, bool expected) =>
        Assert.Equal(expected, StreamNamePattern.Parse(pattern).Matches(name));

    [Theory]
    [InlineData("read", AccessActions.Read)]
    [InlineData("Read, WRITE", AccessActions.Read | AccessActions.Write)]
    [InlineData("admin", AccessActions.Admin)]
    [InlineData("*", AccessActions.All)]
    [InlineData("all", AccessActions.All)]
    public void TryParseActions_ValidList_Parsed(string text, AccessActions expected)
    {
        Assert.True(KinesisOperationAccess.TryParseActions(text, out var actions));
        Assert.Equal(expected, actions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("delete")]
    [InlineData("read,owner")]
    public void TryParseActions_Invalid_Refused(string text) =>
        Assert.False(KinesisOperationAccess.TryParseActions(text, out _));

    [Theory]
    [InlineData("GetRecords", AccessActions.Read)]
    [InlineData("GetShardIterator", AccessActions.Read)]
    [InlineData("DescribeStreamSummary", AccessActions.Read)]
    [InlineData("ListShards", AccessActions.Read)]
    [InlineData("ListStreams", AccessActions.Read)]
    [InlineData("ListTagsForStream", AccessActions.Read)]
    [InlineData("DescribeLimits", AccessActions.Read)]
    [InlineData("PutRecord", AccessActions.Write)]
    [InlineData("PutRecords", AccessActions.Write)]
    [InlineData("CreateStream", AccessActions.Admin)]
    [InlineData("DeleteStream", AccessActions.Admin)]
    [InlineData("IncreaseStreamRetentionPeriod", AccessActions.Admin)]
    [InlineData("AddTagsToStream", AccessActions.Admin)]
    [InlineData("UpdateMaxRecordSize", AccessActions.Admin)]
    [InlineData("EnableEnhancedMonitoring", AccessActions.Admin)]
    [InlineData("SomethingNew", AccessActions.Admin)]
    public void ForOperation_KinesisOperation_MapsToItsAction(string operation, AccessActions expected) =>
        Assert.Equal(expected, KinesisOperationAccess.ForOperation(operation));

    [Fact]
    public void Principal_WithPermissions_AllowsOnlyTheirStreamsAndActions()
    {
        var principal = AccessPrincipal.Create("AKID", [
            new AccessPermission { Streams = "orders*", Actions = "read,write" },
            new AccessPermission { Streams = "audit, logs-*", Actions = "read" },
        ]);

        Assert.False(principal.IsUnrestricted);
        Assert.True(principal.IsAllowed(AccessActions.Write, "orders-eu"));
        Assert.True(principal.IsAllowed(AccessActions.Read, "orders"));
        Assert.False(principal.IsAllowed(AccessActions.Admin, "orders"));
        Assert.True(principal.IsAllowed(AccessActions.Read, "audit"));
        Assert.True(principal.IsAllowed(AccessActions.Read, "logs-1"));
        Assert.False(principal.IsAllowed(AccessActions.Write, "audit"));
        Assert.False(principal.IsAllowed(AccessActions.Read, "payments"));
        Assert.True(principal.HasAny(AccessActions.Read));
        Assert.False(principal.HasAny(AccessActions.Admin));
    }

    [Fact]
    public void Principal_NoPermissions_FullAccess()
    {
        var principal = AccessPrincipal.Create("AKID", []);
        Assert.True(principal.IsUnrestricted);
        Assert.True(principal.IsAllowed(AccessActions.Admin, "anything"));
    }

    [Fact]
    public void Create_InvalidConfiguration_Refused()
    {
        Assert.Throws<ArgumentException>(() => AccessPolicy.Create(true, []));
        Assert.Throws<ArgumentException>(() => AccessPolicy.Create(true, [new AccessCredential("AKID", "", [])]));
        Assert.Throws<ArgumentException>(() => AccessPolicy.Create(true, [new AccessCredential("AKID", "s", []), new AccessCredential("AKID", "t", [])]));
        Assert.Throws<ArgumentException>(() => AccessPolicy.Create(true, [new AccessCredential("AKID", "s", [new AccessPermission { Streams = "x", Actions = "root" }])]));
        Assert.Throws<ArgumentException>(() => AccessPolicy.Create(true, [new AccessCredential("AKID", "s", [new AccessPermission { Streams = " ", Actions = "read" }])]));
        Assert.False(AccessPolicy.Create(false, []).IsEnforced);
    }

    [Fact]
    public void VerifySecret_RightWrongAndUnknown_OnlyRightYieldsPrincipal()
    {
        var policy = AccessPolicy.Create(true, [new AccessCredential("AKID", "s3cr:et", [])]);
        Assert.Equal("AKID", policy.VerifySecret("AKID", "s3cr:et")?.AccessKeyId);
        Assert.Null(policy.VerifySecret("AKID", "s3cr:eT"));
        Assert.Null(policy.VerifySecret("AKID", "s3cr:et "));
        Assert.Null(policy.VerifySecret("AKID", string.Empty));
        Assert.Null(policy.VerifySecret("OTHER", "s3cr:et"));
        Assert.True(policy.TryGetSecret("AKID", out var secret));
        Assert.Equal("s3cr:et", secret);
    }

    [Theory]
    [InlineData("Bearer AKID:s3cr:et")]
    [InlineData("bearer AKID:s3cr:et")]
    [InlineData("  Bearer   AKID:s3cr:et  ")]
    public void Authenticate_ValidBearer_Principal(string header)
    {
        var authenticator = new BearerTokenAuthenticator(AccessPolicy.Create(true, [new AccessCredential("AKID", "s3cr:et", [])]));
        var result = authenticator.Authenticate(header);
        Assert.True(result.IsAuthenticated);
        Assert.Equal("AKID", result.Principal!.AccessKeyId);
        Assert.Null(result.Failure);
    }

    [Theory]
    [InlineData(null, "MissingAuthenticationTokenException")]
    [InlineData("", "MissingAuthenticationTokenException")]
    [InlineData("Basic QUtJRDpzZWNyZXQ=", "IncompleteSignatureException")]
    [InlineData("Bearer", "IncompleteSignatureException")]
    [InlineData("Bearer AKID", "IncompleteSignatureException")]
    [InlineData("Bearer AKID:", "IncompleteSignatureException")]
    [InlineData("Bearer :s3cr:et", "IncompleteSignatureException")]
    [InlineData("BearerAKID:s3cr:et", "IncompleteSignatureException")]
    [InlineData("Bearer AKID:wrong", "UnrecognizedClientException")]
    [InlineData("Bearer NOPE:s3cr:et", "UnrecognizedClientException")]
    public void Authenticate_Invalid_RefusedWithKinesisErrorName(string? header, string errorName)
    {
        var authenticator = new BearerTokenAuthenticator(AccessPolicy.Create(true, [new AccessCredential("AKID", "s3cr:et", [])]));
        var result = authenticator.Authenticate(header);
        Assert.False(result.IsAuthenticated);
        Assert.Equal(errorName, result.Failure!.ErrorName);
        Assert.Equal(16, AuthenticationFailure.GrpcStatusCode);
    }

    [Fact]
    public void Authenticate_PolicyNotEnforced_EveryCallAccepted()
    {
        var authenticator = new BearerTokenAuthenticator(AccessPolicy.Create(false, [new AccessCredential("AKID", "s", [new AccessPermission { Streams = "a", Actions = "read" }])]));
        Assert.True(authenticator.Authenticate(null).Principal!.IsUnrestricted);
        Assert.True(authenticator.Authenticate("Bearer AKID:wrong").Principal!.IsUnrestricted);
        Assert.Equal("AKID", authenticator.Authenticate("Bearer AKID:s").Principal!.AccessKeyId);
    }

    [Fact]
    public async Task AccessContext_Enter_FlowsIntoAwaitedCallsAndIsRestored()
    {
        var principal = AccessPrincipal.Unrestricted("AKID");
        Assert.Null(AccessContext.Current);
        using (AccessContext.Enter(principal))
        {
            await Task.Yield();
            Assert.Same(principal, await Task.Run(() => AccessContext.Current, TestContext.Current.CancellationToken));
        }

        Assert.Null(AccessContext.Current);
    }
}
