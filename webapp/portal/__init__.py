"""The organization portal: editors keep their listings true, moderators keep them safe."""
