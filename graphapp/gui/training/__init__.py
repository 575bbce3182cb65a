"""The training panel: a small network learns a 2-D data set while its gradients are shown.

* :mod:`~graphapp.gui.training.session`: the worker side. A trainer runs in a process of its
  own on its own copy of the model and hands immutable
  :class:`~graphapp.gui.training.session.Snapshot` values to the GUI (the latest one, at most
  at screen rate).
* :mod:`~graphapp.gui.training.display`: snapshot → what the diagram paints (colour tiles).
* :mod:`~graphapp.gui.training.diagram`: the network as circles and edges, with the backward
  wave, hover read-outs and ``weight_clicked``.
* :mod:`~graphapp.gui.training.plots`: the data and decision boundary, the loss, accuracy and
  gradient-norm curves (pyqtgraph, imported only when the panel opens).
* :mod:`~graphapp.gui.training.controls`: data, network and training settings.
* :mod:`~graphapp.gui.training.weight_detail` and
  :mod:`~graphapp.gui.training.step_editor`: a clicked weight's gradient as a sum over paths,
  and the current sample's pass opened in the editor.
* :mod:`~graphapp.gui.training.panel`: the panel that puts these together;
  :mod:`~graphapp.gui.training.window`: its window, its dock in the editor, its screenshot.
"""
