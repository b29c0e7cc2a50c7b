import PERC
