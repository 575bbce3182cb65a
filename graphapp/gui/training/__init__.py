"""The training panel: a small network learns a 2-D data set while its gradients are shown."""
