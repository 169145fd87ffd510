namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// The principal of the call being served, carried with the call's asynchronous flow from the
/// front door (which authenticated it) to the core (which checks each operation against it).
/// </summary>
/// <remarks>
/// An <see cref="AsyncLocal{T}"/> rather than a parameter of every <c>IStreamsService</c> method: the
/// two front doors and their handlers stay as they are, and a door that forgets to authenticate
/// leaves no principal, which the enforcing core refuses (it fails closed). A value set in an async
/// method is seen by everything it awaits and disappears when it returns.
/// </remarks>
public static class AccessContext
{
    private static readonly AsyncLocal<AccessPrincipal?> CurrentPrincipal = new();

    /// <summary>The principal of the current call; null when no front door set one.</summary>
    public static AccessPrincipal? Current => CurrentPrincipal.Value;

    /// <summary>
    /// Makes <paramref name="principal"/> current until the returned scope is disposed (use in the
    /// async method that serves the call: <c>using var scope = AccessContext.Enter(principal);</c>).
    /// </summary>
    public static Scope Enter(AccessPrincipal? principal)
    {
        var previous = CurrentPrincipal.Value;
        CurrentPrincipal.Value = principal;
        return new Scope(previous);
    }

    /// <summary>Restores the previous principal when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly AccessPrincipal? _previous;

        internal Scope(AccessPrincipal? previous) => _previous = previous;

        /// <inheritdoc />
        public void Dispose() => CurrentPrincipal.Value = _previous;
    }
}
