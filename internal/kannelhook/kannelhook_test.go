package kannelhook

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParseMO(t *testing.T) {
	tests := []struct {
		name             string
		form             url.Values
		wantFrom, wantTo string // wantTo "" = zero
		wantText         string
		bad              bool
	}{
		{name: "with to", form: url.Values{"from": {"+13105550123"}, "to": {"+13105550100"}, "text": {"JOIN 90210"}},
			wantFrom: "+13105550123", wantTo: "+13105550100", wantText: "JOIN 90210"},
		{name: "to in international digits", form: url.Values{"from": {"13105550123"}, "to": {"13105550100"}, "text": {"STOP"}},
			wantFrom: "+13105550123", wantTo: "+13105550100", wantText: "STOP"},
		{name: "to with 00", form: url.Values{"from": {"+13105550123"}, "to": {"0013105550100"}, "text": {"ALTO"}},
			wantFrom: "+13105550123", wantTo: "+13105550100", wantText: "ALTO"},
		{name: "national to", form: url.Values{"from": {"+13105550123"}, "to": {"3105550100"}, "text": {"HELP"}},
			wantFrom: "+13105550123", wantTo: "+13105550100", wantText: "HELP"},
		{name: "no to", form: url.Values{"from": {"+13105550123"}, "text": {"JOIN 90210"}},
			wantFrom: "+13105550123", wantText: "JOIN 90210"},
		{name: "empty to", form: url.Values{"from": {"+13105550123"}, "to": {""}, "text": {"JOIN 90210"}},
			wantFrom: "+13105550123", wantText: "JOIN 90210"},
		{name: "to a short code", form: url.Values{"from": {"+13105550123"}, "to": {"12345"}, "text": {"JOIN 90210"}},
			wantFrom: "+13105550123", wantText: "JOIN 90210"},
		{name: "to not a number", form: url.Values{"from": {"+13105550123"}, "to": {"tocsin"}, "text": {"JOIN 90210"}},
			wantFrom: "+13105550123", wantText: "JOIN 90210"},
		{name: "not recoded UCS-2", form: url.Values{"from": {"+13105550123"}, "to": {"+13105550100"}, "charset": {"UTF-16BE"},
			"text": {string([]byte{0x00, 'J', 0x00, 0xe1})}}, wantFrom: "+13105550123", wantTo: "+13105550100", wantText: "Já"},
		{name: "no sender", form: url.Values{"to": {"+13105550100"}, "text": {"x"}}, bad: true},
		{name: "sender not a number", form: url.Values{"from": {"Movistar"}, "to": {"+13105550100"}, "text": {"x"}}, bad: true},
		{name: "sender too short", form: url.Values{"from": {"5550123"}, "to": {"+13105550100"}, "text": {"x"}}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mo, err := ParseMO(tt.form, "US")
			if tt.bad {
				if !errors.Is(err, ErrBadHook) {
					t.Fatalf("ParseMO = %+v, %v; want ErrBadHook", mo, err)
				}
				if from := tt.form.Get("from"); from != "" && strings.Contains(err.Error(), from) {
					t.Errorf("the error repeats the sender: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if mo.From.E164() != tt.wantFrom || mo.To.E164() != tt.wantTo || mo.Text != tt.wantText {
				t.Errorf("ParseMO = from %s to %q text %q; want %s %q %q", mo.From.E164(), mo.To.E164(), mo.Text, tt.wantFrom, tt.wantTo, tt.wantText)
			}
		})
	}
}
