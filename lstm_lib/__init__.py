"""lstm_lib: the small numpy library built chapter by chapter in the book, with PyTorch as its oracle.

Modules, in the order the book adds them:
    checks      input validation with clear ValueErrors
    data        sequences as arrays: one-hot characters, time-major batches
    rnn         the vanilla RNN: forward and backpropagation through time
    gradcheck   finite-difference gradient checks
    layers      the readout layer and the losses
    optim       parameter updates (SGD, Adam) and gradient-norm clipping
    tasks       seeded synthetic sequence tasks, among them the long-lag tasks of the 1997 LSTM paper
    gradflow    how gradients travel back in time: by lag for the RNN and the LSTM, the singular-value bound
    train       a small training loop for an RNN scored at the last step (Adam, gradient clipping)
    gates       the LSTM cell gate by gate, in the per-gate form of the diagrams: W_k (H + D, H) on [h, x]
    memory      how long the cell state keeps a value: the belt product of forget gates, half-life
    lstm        the LSTM layer in torch's fused layout: forward and backpropagation through time, fast
    widgets     slider widgets that also work in the static HTML book
    diagrams    figures of cells and unrolled networks drawn with matplotlib
    exercises   checkers that give feedback on the reader's answers
    book        notebook set-up and showing the library source in the text
    torch_bridge  parameter dicts to and from torch modules
"""
__version__ = "0.1.0"
