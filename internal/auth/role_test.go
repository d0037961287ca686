package auth

import "testing"

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"admin", RoleAdmin, false},
		{"dispatcher", RoleDispatcher, false},
		{"viewer", RoleViewer, false},
		{"", "", true},
		{"Admin", "", true},
		{" admin", "", true},
		{"root", "", true},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseRole(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestRoleCan(t *testing.T) {
	actions := []Action{ViewQueue, TriageReports, ComposeAlert, SendAlert, ManageOperators, Freeze}
	tests := []struct {
		role Role
		want map[Action]bool
	}{
		{RoleAdmin, map[Action]bool{ViewQueue: true, TriageReports: true, ComposeAlert: true, SendAlert: true, ManageOperators: true, Freeze: true}},
		{RoleDispatcher, map[Action]bool{ViewQueue: true, TriageReports: true, ComposeAlert: true, SendAlert: true, ManageOperators: false, Freeze: true}},
		{RoleViewer, map[Action]bool{ViewQueue: true}},
		{Role(""), map[Action]bool{}},
		{Role("Admin"), map[Action]bool{}},
		{Role("root"), map[Action]bool{}},
	}
	for _, tt := range tests {
		for _, a := range actions {
			if got := tt.role.Can(a); got != tt.want[a] {
				t.Errorf("%q.Can(%s) = %v, want %v", tt.role, a, got, tt.want[a])
			}
		}
		if tt.role.Can(Action("delete_everything")) || tt.role.Can("") {
			t.Errorf("%q can perform an unknown action", tt.role)
		}
	}
}
