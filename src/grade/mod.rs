//! Grading: aligning a session with a scenario's steps, points, feedback and findings.
