using System.Runtime.InteropServices;
using SeqLearn.Kernels;

namespace SeqLearn.Models;

/// <summary>
/// <see cref="LanguageModelStepper.Advance"/> on a pool of two or more threads, as two roles that run side by side in one
/// <see cref="WorkerPool.Run"/> per step (docs/generation.md#two-threads-one-step-ahead):
/// <code>
/// critical:  for l: xp_l[chunks &lt; C−K], gates_l(xp_l, hp_l) → h'_l, publish l │ logits = W_dec h'_{L−1} + b │ hp⁺_{L−1}[chunks &lt; S]
/// ahead:     for l: wait for h'_l → xp_{l+1}[chunks ≥ C−K] │ hp⁺_l = W_hh_l h'_l (the last layer: chunks ≥ S)
/// </code>
/// The hidden-side product hp_l = W_hh_l h_l depends only on the state the step starts from, so it is computed for the
/// next step (hp⁺) while the critical role is still on this one: the step's critical path holds the input-side
/// products, the gates and the decoder, and a step costs one hand-off between the threads instead of one per layer.
/// Of C chunks per layer, the ahead role first computes the input side of the last K = ⌊C / 4⌋ chunks of the next
/// layer (on the critical path, so it goes first), and the critical role, once the decoder is done, the first S chunks
/// of the last layer's hp⁺ (S = ⌊C / 2⌋ for one layer, C − ⌊3C / 8⌋ for more), so that both roles end at about the
/// same time (for the 2 × 256 LSTM: K = 2, S = 5 of 8).
/// </summary>
/// <remarks>
/// <para>hp is reused only for the state it was computed from: the next call compares its state's h with the h' that
/// hp⁺ came from (bit for bit, L·H floats) and, when they differ (the first call, or a caller that switched states),
/// first computes hp for that state with every chunk on the pool. Every product is the same call on the same chunk as
/// in the one-thread stepper, so the logits are bit-identical to it (tested).</para>
/// <para>Roles go by thread: the thread that called <see cref="Advance"/> takes the critical role, any other thread the
/// ahead role; a thread that finds its role taken takes the other one. The critical role waits for the ahead role only
/// for an input side the ahead role has claimed, and the ahead role claims one only once it can compute it at once;
/// an unclaimed one the critical role computes itself. So a pool whose worker comes late (the caller then runs both
/// roles, one after the other) cannot deadlock.</para>
/// </remarks>
internal sealed class StepperPipeline : IParallelWork
{
    private readonly LanguageModelStepper _stepper;
    private readonly StepperWeights _w;
    private readonly WorkerPool _pool;
    private readonly int _share;          // S: chunks of the last layer's hp⁺ the critical role computes
    private readonly int _helped;         // K: chunks of each layer l > 0 whose input side the ahead role computes
    private float[] _hp, _hpNext;         // (L·G·H) hp for the state in _key; hp⁺ for the state being computed
    private readonly float[] _key;        // (L·H) the h that _hp belongs to
    private bool _valid;
    private readonly HiddenWork _hidden;

    // One step's shared fields (set before the Run, cleared after it).
    private int _token, _caller, _criticalClaimed, _aheadClaimed, _published, _inputsPublished;
    private readonly int[] _inputClaimed; // [l] 1 once a role has taken the input side of layer l's last K chunks
    private LanguageModelStepState? _state, _next;

    /// <summary>A pipeline for <paramref name="stepper"/> (whose weights are <paramref name="w"/>) on <paramref name="pool"/>.</summary>
    public StepperPipeline(LanguageModelStepper stepper, StepperWeights w, WorkerPool pool)
    {
        (_stepper, _w, _pool) = (stepper, w, pool);
        _helped = w.Chunks / 4;
        _share = w.L == 1 ? w.Chunks / 2 : w.Chunks - 3 * w.Chunks / 8;
        _inputClaimed = new int[w.L];
        _hp = new float[w.L * w.G * w.H];
        _hpNext = new float[_hp.Length];
        _key = new float[w.L * w.H];
        _hidden = new HiddenWork(this);
    }

    /// <summary>Computes one step from <paramref name="state"/> into <paramref name="next"/> and the stepper's logits.</summary>
    public void Advance(int token, LanguageModelStepState state, LanguageModelStepState next)
    {
        var h = state.Values.AsSpan(0, _key.Length);
        if (!_valid || !MemoryMarshal.AsBytes(h).SequenceEqual(MemoryMarshal.AsBytes(_key.AsSpan())))
        {
            _hidden.State = state;
            _stepper.PrepareState(state);
            _pool.Run(_w.L * _w.Chunks, _hidden);   // hp for this state, every chunk on the pool
            _hidden.State = null;
        }
        (_token, _state, _next, _caller) = (token, state, next, Environment.CurrentManagedThreadId);
        (_criticalClaimed, _aheadClaimed, _published, _inputsPublished) = (0, 0, 0, 0);
        Array.Clear(_inputClaimed);
        _valid = false;   // an exception below leaves hp⁺ incomplete
        try
        {
            _pool.Run(2, this);
        }
        finally
        {
            (_state, _next) = (null, null);
        }
        (_hp, _hpNext) = (_hpNext, _hp);
        next.Values.AsSpan(0, _key.Length).CopyTo(_key);
        _valid = true;
    }

    /// <summary>Takes a role: the calling thread the critical one, any other thread the ahead one, else what is left.</summary>
    public void Execute(int index)
    {
        if (Environment.CurrentManagedThreadId == _caller)
        {
            if (Claim(ref _criticalClaimed)) Critical();
            else if (Claim(ref _aheadClaimed)) Ahead();
        }
        else if (Claim(ref _aheadClaimed)) Ahead();
        else if (Claim(ref _criticalClaimed)) Critical();
    }

    private static bool Claim(ref int flag) => Interlocked.Exchange(ref flag, 1) == 0;

    /// <summary>
    /// Every layer's input side and gates (hp from the previous step; the last K chunks' input side from the ahead role
    /// when it has claimed it), the decoder, then the first S chunks of hp⁺_{L−1}.
    /// </summary>
    private void Critical()
    {
        int L = _w.L, C = _w.Chunks, gh = _w.G * _w.H;
        CacheLines.Prefetch(_hp);   // hp of every layer, written by the other thread's ahead role during the last step
        try
        {
            for (int l = 0; l < L; l++)
            {
                var hp = _hp.AsSpan(l * gh, gh);
                int own = l == 0 ? C : C - _helped;
                for (int c = 0; c < own; c++) _stepper.InputAndGates(l, c, _token, _state!, _next!, hp);
                if (own < C)
                {
                    if (Claim(ref _inputClaimed[l]))
                        for (int c = own; c < C; c++) _stepper.InputProduct(l, c, _next!);
                    else
                        while (Volatile.Read(ref _inputsPublished) < l) Thread.SpinWait(1);
                    for (int c = own; c < C; c++) _stepper.Gates(l, c, _token, _state!, _next!, hp);
                }
                _stepper.PrepareNext(l, _next!);
                Volatile.Write(ref _published, l + 1);
            }
            _stepper.Decode(_next!);
            for (int c = 0; c < _share; c++) _stepper.HiddenProduct(L - 1, c, _next!.H(L - 1), _stepper.NextInput(L - 1), _hpNext.AsSpan((L - 1) * gh, gh));
        }
        finally
        {
            Volatile.Write(ref _published, int.MaxValue);   // releases the ahead role even when a step fails
        }
    }

    /// <summary>
    /// As soon as h'_l is published: the input side of the last K chunks of layer l + 1 (unless the critical role got
    /// there first), then hp⁺_l = W_hh_l h'_l (the last layer: chunks S and up).
    /// </summary>
    private void Ahead()
    {
        int L = _w.L, C = _w.Chunks, gh = _w.G * _w.H;
        for (int l = 0; l < L; l++)
        {
            while (Volatile.Read(ref _published) <= l) Thread.SpinWait(1);
            if (l + 1 < L && _helped > 0 && Claim(ref _inputClaimed[l + 1]))
            {
                try
                {
                    for (int c = C - _helped; c < C; c++) _stepper.InputProduct(l + 1, c, _next!);
                }
                finally
                {
                    Volatile.Write(ref _inputsPublished, l + 1);   // also when it failed: the critical role must not wait forever
                }
            }
            for (int c = l == L - 1 ? _share : 0; c < C; c++) _stepper.HiddenProduct(l, c, _next!.H(l), _stepper.NextInput(l), _hpNext.AsSpan(l * gh, gh));
        }
    }

    /// <summary>hp = W_hh h for a state the pipeline did not compute ahead: item l·chunks + c is layer l, chunk c.</summary>
    private sealed class HiddenWork(StepperPipeline pipeline) : IParallelWork
    {
        public LanguageModelStepState? State;

        public void Execute(int index)
        {
            var w = pipeline._w;
            int l = index / w.Chunks, gh = w.G * w.H;
            pipeline._stepper.HiddenProduct(l, index % w.Chunks, State!.H(l), pipeline._stepper.StateInput(l), pipeline._hp.AsSpan(l * gh, gh));
        }
    }
}
