package meshfleet.lib_test

import data.meshfleet.lib

test_selects_subset_of_labels if lib.selects({"app": "cart"}, {"app": "cart", "version": "v1"})

test_selects_needs_every_label if not lib.selects({"app": "cart", "version": "v2"}, {"app": "cart", "version": "v1"})

test_format_labels_sorts if lib.format_labels({"version": "v2", "app": "cart"}) == "app=cart,version=v2"
