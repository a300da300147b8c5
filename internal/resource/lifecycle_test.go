package resource

import "testing"

func TestInstanceActionsByState(t *testing.T) {
	tests := []struct {
		state             string
		start, stop, term bool
		whyStart, whyStop string
	}{
		{"pending", false, false, true, "it is pending already", "it is pending; stop it once it is running"},
		{"running", false, true, true, "it is running already", ""},
		{"stopping", false, false, true, "it is still stopping; start it once it is stopped", "it is stopping already"},
		{"stopped", true, false, true, "", "it is stopped already"},
		{"shutting-down", false, false, false, "it is shutting-down", "it is shutting-down"},
		{"terminated", false, false, false, "it is terminated", "it is terminated"},
	}
	for _, tc := range tests {
		in := Instance{State: tc.state}
		if ok, why := in.CanStart(); ok != tc.start || why != tc.whyStart {
			t.Errorf("%s: CanStart = %v %q", tc.state, ok, why)
		}
		if ok, why := in.CanStop(); ok != tc.stop || why != tc.whyStop {
			t.Errorf("%s: CanStop = %v %q", tc.state, ok, why)
		}
		if ok, _ := in.CanTerminate(); ok != tc.term {
			t.Errorf("%s: CanTerminate = %v", tc.state, ok)
		}
	}
}
