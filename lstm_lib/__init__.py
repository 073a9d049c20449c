"""lstm_lib: the small numpy library the reader builds chapter by chapter, checked
against torch.

Modules, in the order the book adds them (each names its chapter in its docstring):
    validation    the input checks every public function shares: clear ValueErrors
    data          sequences as arrays: one-hot characters, time-major windows
    rnn           the vanilla RNN: rnn_step / rnn_step_backward and the loops over a
                  sequence
    gradcheck     finite-difference gradient checks
    layers        the readout layer and the losses
    optim         parameter updates (SGD, Adam) and gradient-norm clipping
    tasks         seeded synthetic tasks, among them the long-lag tasks of the 1997
                  LSTM paper
    gradflow      how gradients travel back in time, for the RNN and the LSTM
    next_step     next-step prediction over chunks of a sequence, truncated BPTT
    train         a small training loop for an RNN scored at the last step
    gates         the LSTM cell gate by gate, in the per-gate form of the diagrams
    memory        how long the cell state keeps a value: the belt of forget gates,
                  half-life
    lstm          the LSTM in torch's layout: lstm_step / lstm_step_backward and the
                  loops
    lengths       batches of sequences of different lengths: which steps are real,
                  where each sequence ends (lstm_forward's lengths=)
    masked        losses over a padded batch that count the real steps only
    embedding     word ids -> rows of a learned table, and the scatter-add backward
    torch_bridge  parameter dicts to and from torch modules (the only module
                  importing torch)

numpy is the only requirement; torch is needed for `torch_bridge` alone.
"""
__version__ = "0.2.0"
