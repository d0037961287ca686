package auth

import "fmt"

// Role is an operator's role in the console.
type Role string

// The operator roles.
const (
	RoleAdmin      Role = "admin"
	RoleDispatcher Role = "dispatcher"
	RoleViewer     Role = "viewer"
)

// Action is something an operator may be permitted to do.
type Action string

// The actions checked by Role.Can.
const (
	ViewQueue       Action = "view_queue"
	TriageReports   Action = "triage_reports"
	ComposeAlert    Action = "compose_alert"
	SendAlert       Action = "send_alert"
	ManageOperators Action = "manage_operators"
	Freeze          Action = "freeze"
)

// Actions lists every action Role.Can knows, for the console's templates
// and their test.
func Actions() []Action {
	return []Action{ViewQueue, TriageReports, ComposeAlert, SendAlert, ManageOperators, Freeze}
}

// ParseRole parses an exact role name ("admin", "dispatcher" or "viewer").
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleDispatcher, RoleViewer:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: must be admin, dispatcher or viewer", s)
}

// Can reports whether role r may perform action a. Viewers may only view the
// queue; dispatchers may do everything except manage operators; admins may
// do everything. Unknown roles and actions are refused. Can grants
// permission to attempt an action only; SendAlert still needs k-of-n
// approval elsewhere.
func (r Role) Can(a Action) bool {
	switch a {
	case ViewQueue, TriageReports, ComposeAlert, SendAlert, ManageOperators, Freeze:
	default:
		return false
	}
	switch r {
	case RoleAdmin:
		return true
	case RoleDispatcher:
		return a != ManageOperators
	case RoleViewer:
		return a == ViewQueue
	}
	return false
}
