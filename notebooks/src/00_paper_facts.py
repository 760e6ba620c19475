# %% [markdown]
# # 00 · The paper's facts as data
#
# **Question.** What does the paper itself report about the account @palembang.update, about Indonesian
# internet and Instagram use, and from its interview with the Regional Secretary?
#
# These are the only *real* data in the kit. They live in `data/raw/paper/` as small CSV files, one row per
# fact, each with the paper's section and the source the paper cites. Everything is regenerated from these
# files: Figure 1 (the counterpart of the paper's profile screenshot) and Table 1 (the background statistics).

# %% parameters
study_config = "config/study.yaml"   # the study configuration; other values left as None come from it
paper_dir = None
reports_dir = None

# %%
from civicposts import artefacts, config, display, paper
from civicposts.figures.profile import profile_card
from civicposts.tables.paper import background_statistics, interview_record

params = config.setup_notebook(globals())
display.init()

# %% [markdown]
# ## The account snapshot
# The paper reports followers and posts "as updated on 2 February 2021". It words both as approximations
# ("kurang lebih 308 ribu", "sekitar 25 ribu lebih"), so the data keep the printed wording beside the number.

# %%
snapshot = paper.load_snapshot(paper_dir)
snapshot

# %%
fig, data = profile_card(snapshot)
fig1 = artefacts.save_figure(
    fig, "fig01_profile_card", label="Figure 1", order=1, fictional=False,
    caption=("Profile snapshot of @palembang.update on 2 February 2021: about 308K followers and more than 25K "
             "posts, as reported in the paper (section III; counterpart of its Gambar 1, a screenshot). "
             f"Data: {paper_dir}/account_snapshot.csv (real, from the paper)."),
    data=data, function=profile_card, inputs=[f"{paper_dir}/account_snapshot.csv"], reports_dir=reports_dir)
display.show_figure(fig1, reports_dir)

# %% [markdown]
# **What it means.** A non-government account with about 308 thousand followers in a city of under two million
# people reaches a large share of its residents: the reach the paper argues officials lack.
#
# ## Table 1 · Background statistics
# The paper's introduction cites national figures on internet and Instagram use, with their sources.

# %%
background = paper.load_background(paper_dir)
table1 = background_statistics(background)
t1 = artefacts.save_table(
    table1, "tab01_background_statistics", label="Table 1", order=1.5, fictional=False,
    caption=("Background statistics cited in the paper's introduction, with the value as printed and the source "
             f"the paper cites. Data: {paper_dir}/background_stats.csv (real, from the paper)."),
    function=background_statistics, inputs=[f"{paper_dir}/background_stats.csv"], reports_dir=reports_dir)
display.show_table(table1, t1)

# %% [markdown]
# **What it means.** The 2016 APJII figures put Instagram at about 15% of Indonesian internet users; the
# paper uses them to motivate studying Instagram as a channel between citizens and government.
#
# ## The interview record
# The paper reports one unstructured interview (27 February 2021). Only one passage is quoted verbatim; the
# rest is reported in the author's words. Here, the verbatim quote is kept as printed and the other
# statements are paraphrased by the kit's maintainers and marked `paraphrase`, so nobody mistakes them
# for the official's words.

# %%
interview = paper.load_interview(paper_dir)
table2 = interview_record(interview)
t2 = artefacts.save_table(
    table2, "tab02_interview_record", label="Table 2", order=1.6, fictional=False,
    caption=("Interview with the Regional Secretary of Palembang, 27 February 2021, as reported in the paper "
             "(section III): the verbatim quote as printed and the maintainers' paraphrases of reported statements, "
             f"each marked. Data: {paper_dir}/interview.csv (real, from the paper)."),
    function=interview_record, inputs=[f"{paper_dir}/interview.csv"], reports_dir=reports_dir)
display.show_table(table2, t2)
