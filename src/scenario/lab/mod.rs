//! Assignments (`labs/*.yaml`): a lab's tasks, what each is worth, the scenarios whose
//! dialogue shows it done, and the report headings that name it. A submission graded with a
//! lab is always out of the lab's total (the pipeline's `SubmissionGrade::decide_lab`).
//!
//! # The format
//!
//! ```yaml
//! id: email-lab                         # kebab-case
//! title: { en: "Lab 5: e-mail", zh-CN: 实验5 电子邮件 }   # both languages
//! total: 100                            # optional: must equal the tasks' points added up
//! pass_mark: 60                         # default: 60 % of the total
//! late:                                 # optional: what a submission the LMS marked late loses
//!   deduct_percent: 10                  #   a share of its score (0–100), rounded
//!   cap: 80                             #   and/or the most points it keeps
//! tasks:
//!   - id: "3.4"                         # unique; the key LMS exports use
//!     title: { en: Send by hand with telnet, zh-CN: 用 telnet 手动发信 }
//!     points: 30
//!     scenarios: [smtp-telnet-auth-send, smtp-error-recovery]   # alternatives: the best counts
//!     required: true                    # default true: missing evidence fails the submission
//!     sections: ["3.4", telnet收发邮件]  # a heading number, or words a heading contains
//! ```
//!
//! A scenario is a built-in name or a YAML file, relative to the lab file. The file is read
//! by the same positioned YAML reader as scenarios ([`super::yaml`]), and every error is
//! reported at once with its file:line:col.

mod build;
mod load;
mod model;
mod raw;

pub use load::{builtin, builtin_names, load_file, load_str, resolve};
pub use model::{Lab, LabRule, LatePolicy, Task, TaskRule};
