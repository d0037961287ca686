-- Numbers that opted out (STOP and its synonyms), by the sender's keyed
-- hash, whether or not they were subscribed: carriers require that nothing
-- but the STOP confirmation goes to such a number until it opts back in
-- (START, JOIN, or a web sign-up confirmed with a code). No retention purge
-- touches this table; a row goes only when its number opts back in.
CREATE TABLE opt_outs (
	phone_hash BLOB PRIMARY KEY,
	at         INTEGER NOT NULL
);
INSERT INTO opt_outs (phone_hash, at) SELECT phone_hash, updated_at FROM subscribers WHERE active = 0;
