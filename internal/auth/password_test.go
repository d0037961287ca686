package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	const pw = "correct horse battery staple"
	enc, err := HashPassword(pw, TestParams())
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected PHC string %q", enc)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"correct", pw, true},
		{"wrong", "correct horse battery stapler", false},
		{"case differs", "Correct horse battery staple", false},
		{"empty", "", false},
		{"prefix", pw[:len(pw)-1], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.pw, enc)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if ok != tt.want {
				t.Fatalf("VerifyPassword = %v, want %v", ok, tt.want)
			}
		})
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	a, err1 := HashPassword("same password here", TestParams())
	b, err2 := HashPassword("same password here", TestParams())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if a == b {
		t.Fatal("two hashes of the same password are identical; salt not random")
	}
}

func TestHashPasswordRejects(t *testing.T) {
	tests := []struct {
		name    string
		pw      string
		p       Params
		wantErr error
	}{
		{"empty", "", TestParams(), ErrWeakPassword},
		{"11 chars", "abcdefghijk", TestParams(), ErrWeakPassword},
		{"11 runes, more bytes", "ñññññññññññ", TestParams(), ErrWeakPassword},
		{"12 chars ok", "abcdefghijkl", TestParams(), nil},
		{"12 runes ok", "contraseñaaa", TestParams(), nil},
		{"256 bytes ok", strings.Repeat("a", 256), TestParams(), nil},
		{"257 bytes", strings.Repeat("a", 257), TestParams(), ErrPasswordTooLong},
		{"zero params", "abcdefghijkl", Params{}, ErrUnsafeParams},
		{"memory too big", "abcdefghijkl", Params{Memory: 2 << 20, Time: 1, Threads: 1, KeyLen: 32}, ErrUnsafeParams},
		{"key too short", "abcdefghijkl", Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 8}, ErrUnsafeParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := HashPassword(tt.pw, tt.p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyPasswordTampered(t *testing.T) {
	const pw = "correct horse battery staple"
	enc, err := HashPassword(pw, TestParams())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$")
	salt, hash := parts[4], parts[5]
	join := func(p ...string) string { return strings.Join(p, "$") }
	flip := func(s string) string {
		c := 'A'
		if s[0] == 'A' {
			c = 'B'
		}
		return string(c) + s[1:]
	}
	tests := []struct {
		name    string
		enc     string
		wantErr error // nil means well-formed but must not verify
	}{
		{"hash changed", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, flip(hash)), nil},
		{"salt changed", join("", "argon2id", "v=19", "m=64,t=1,p=1", flip(salt), hash), nil},
		{"time changed", join("", "argon2id", "v=19", "m=64,t=2,p=1", salt, hash), nil},
		{"memory changed", join("", "argon2id", "v=19", "m=128,t=1,p=1", salt, hash), nil},
		{"empty", "", ErrInvalidHash},
		{"argon2i", join("", "argon2i", "v=19", "m=64,t=1,p=1", salt, hash), ErrInvalidHash},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrInvalidHash},
		{"old version", join("", "argon2id", "v=16", "m=64,t=1,p=1", salt, hash), ErrInvalidHash},
		{"missing version", join("", "argon2id", "m=64,t=1,p=1", salt, hash), ErrInvalidHash},
		{"extra field", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, hash, "x"), ErrInvalidHash},
		{"params reordered", join("", "argon2id", "v=19", "t=1,m=64,p=1", salt, hash), ErrInvalidHash},
		{"param negative", join("", "argon2id", "v=19", "m=-64,t=1,p=1", salt, hash), ErrInvalidHash},
		{"param plus sign", join("", "argon2id", "v=19", "m=+64,t=1,p=1", salt, hash), ErrInvalidHash},
		{"param leading zero", join("", "argon2id", "v=19", "m=064,t=1,p=1", salt, hash), ErrInvalidHash},
		{"param overflow", join("", "argon2id", "v=19", "m=4294967296,t=1,p=1", salt, hash), ErrInvalidHash},
		{"memory 2 GiB", join("", "argon2id", "v=19", "m=2097152,t=1,p=1", salt, hash), ErrUnsafeParams},
		{"time zero", join("", "argon2id", "v=19", "m=64,t=0,p=1", salt, hash), ErrUnsafeParams},
		{"time huge", join("", "argon2id", "v=19", "m=64,t=1000000,p=1", salt, hash), ErrUnsafeParams},
		{"threads zero", join("", "argon2id", "v=19", "m=64,t=1,p=0", salt, hash), ErrUnsafeParams},
		{"threads 300", join("", "argon2id", "v=19", "m=4096,t=1,p=300", salt, hash), ErrUnsafeParams},
		{"memory below 8p", join("", "argon2id", "v=19", "m=8,t=1,p=2", salt, hash), ErrUnsafeParams},
		{"salt bad base64", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt+"!", hash), ErrInvalidHash},
		{"salt padded", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt+"==", hash), ErrInvalidHash},
		{"salt too short", join("", "argon2id", "v=19", "m=64,t=1,p=1", "AAAA", hash), ErrInvalidHash},
		{"hash empty", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, ""), ErrUnsafeParams},
		{"hash truncated", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, hash[:12]), ErrUnsafeParams},
		{"hash bad base64", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, "***"+hash[3:]), ErrInvalidHash},
		{"very long", enc + strings.Repeat("A", 1000), ErrInvalidHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(pw, tt.enc)
			if ok {
				t.Fatal("tampered hash verified")
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyPasswordTooLong(t *testing.T) {
	enc, err := HashPassword("abcdefghijkl", TestParams())
	if err != nil {
		t.Fatal(err)
	}
	ok, err := VerifyPassword(strings.Repeat("a", 257), enc)
	if ok || !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("got %v, %v", ok, err)
	}
}

func TestDefaultParamsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("uses 64 MiB argon2id")
	}
	enc, err := HashPassword("correct horse battery staple", DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("unexpected PHC string %q", enc)
	}
	ok, err := VerifyPassword("correct horse battery staple", enc)
	if !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
	DummyVerify("correct horse battery staple") // must not panic
}

func BenchmarkHashPassword(b *testing.B) {
	p := DefaultParams()
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple", p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	enc, err := HashPassword("correct horse battery staple", DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := VerifyPassword("wrong password guess", enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDummyVerify(b *testing.B) {
	for b.Loop() {
		DummyVerify("wrong password guess")
	}
}
