SELECT 'it''s ?', "odd?col", x::text, $$ ? :y $$, $tag$ ? $tag$ -- what ? :z
/* ? /* nested */ */ FROM t WHERE id = ? AND data ?? 'key' AND n = :name