package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"tcpSocket", "httpGet", "exec", "subset", "STRICT"}
	for _, tc := range []struct{ got, want string }{
		{"tcpSockets", "tcpSocket"},
		{"httpget", "httpGet"},
		{"subnet", "subset"},
		{"strict", "STRICT"},
		{"grpcProbe", ""},
		{"", ""},
	} {
		if got := Closest(tc.got, names); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.got, got, tc.want)
		}
	}
	if got := Closest("x", nil); got != "" {
		t.Errorf("Closest with no names = %q", got)
	}
	if d := distance("kitten", "sitting"); d != 3 {
		t.Errorf("distance(kitten, sitting) = %d, want 3", d)
	}
}
